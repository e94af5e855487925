"""Export of a MogaNet model in deploy mode to ONNX, checked in ONNX Runtime
against PyTorch before the file is kept.

The graph takes a normalised float32 image batch ``(N, C, H, W)``, as the
config's data_preprocessor hands it to the model, and does no resizing or
normalisation; a top-down pose model decodes its heatmaps into keypoints in
the graph (:mod:`mmmoga.runtime` maps them to the image), and a RetinaNet
also takes the image's shape and rescaling and returns its final detections
(NMS in the graph). Two-stage detectors are not exported yet.
"""
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import nn

from mmmoga.errors import ConfigCheckError, DeployLayoutError
from mmmoga.models import MogaNet

from .deploy import TOLERANCE, load_deployed_model, relative_difference


class ClassifierLogits(nn.Module):
    """An MMPretrain classifier as ``image -> logits``."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.model(image, mode='tensor')


class SegmentorLogits(nn.Module):
    """An MMSegmentation encoder-decoder as ``image -> class logits`` at the
    image's size, resized as its ``predict`` resizes them."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        logits = self.model(image, mode='tensor')
        return F.interpolate(logits, size=image.shape[2:], mode='bilinear',
                             align_corners=self.model.align_corners)


def decode_heatmaps(heatmaps: torch.Tensor,
                    scale: Tuple[float, float]) -> Tuple[torch.Tensor,
                                                         torch.Tensor]:
    """MMPose's MSRAHeatmap decoding (``unbiased=False``) in tensor
    operations that export: each heatmap's maximum, a quarter pixel towards
    the higher neighbour on each axis (under the same border conditions as
    mmpose's ``refine_keypoints``), times ``scale`` (input / heatmap size,
    x then y). A maximum of 0 or less gives the keypoint (-1, -1) x scale,
    as mmpose does."""
    _, _, height, width = heatmaps.shape
    flat = heatmaps.flatten(2)
    scores, index = flat.max(dim=2)
    x, y = index % width, torch.div(index, width, rounding_mode='floor')

    def at(row, column):
        return flat.gather(2, (row.clamp(0, height - 1) * width +
                               column.clamp(0, width - 1)).unsqueeze(2))[
                                   ..., 0]

    found = scores > 0
    zero = torch.zeros_like(scores)
    dx = torch.where(found & (x > 1) & (x < width - 1) & (y > 0),
                     at(y, x + 1) - at(y, x - 1), zero)
    dy = torch.where(found & (y > 1) & (y < height - 1) & (x > 0),
                     at(y + 1, x) - at(y - 1, x), zero)
    missing = torch.full_like(scores, -1.)
    keypoints = torch.stack([
        torch.where(found, x.to(scores), missing) + 0.25 * dx.sign(),
        torch.where(found, y.to(scores), missing) + 0.25 * dy.sign()
    ], dim=-1)
    return keypoints * keypoints.new_tensor(scale), scores


class PoseKeypoints(nn.Module):
    """An MMPose top-down heatmap model as ``person crops -> keypoints (in
    the crop's pixels), keypoint scores``: the heatmaps (with the config's
    flip test: the mirrored crop's heatmaps flipped back, the left and right
    keypoints swapped, shifted a pixel as ``shift_heatmap`` says, and
    averaged in), decoded in the graph (:func:`decode_heatmaps`)."""

    def __init__(self, model: nn.Module, flip_indices: Optional[List[int]],
                 shift_heatmap: bool, scale: Tuple[float, float]):
        super().__init__()
        self.model = model
        self.flip_test = flip_indices is not None
        self.register_buffer('flip_indices', torch.tensor(flip_indices or []))
        self.shift_heatmap = shift_heatmap
        self.scale = scale

    def heatmaps(self, image: torch.Tensor) -> torch.Tensor:
        heatmaps = self.model.head(self.model.extract_feat(image))
        if self.flip_test:
            flipped = self.model.head(self.model.extract_feat(
                image.flip(-1))).flip(-1).index_select(1, self.flip_indices)
            if self.shift_heatmap:
                flipped = torch.cat([flipped[..., :1], flipped[..., :-1]],
                                    dim=-1)
            heatmaps = (heatmaps + flipped) * 0.5
        return heatmaps

    def forward(self, image: torch.Tensor):
        heatmaps = self.heatmaps(image)
        keypoints, scores = decode_heatmaps(heatmaps, self.scale)
        return keypoints, scores, heatmaps

    def difference(self, expected: Sequence[torch.Tensor],
                   outputs: Sequence[np.ndarray]) -> float:
        """How far the graph's ``outputs`` are from PyTorch's: the heatmaps
        and scores relative to their largest value; the keypoints must be
        the graph's heatmaps decoded (compared with PyTorch's keypoints, a
        near-tie between two maxima could move one by a heatmap pixel)."""
        keypoints, _, heatmaps = (torch.from_numpy(np.asarray(o))
                                  for o in outputs)
        decoded, _ = decode_heatmaps(heatmaps, self.scale)
        if not torch.allclose(decoded, keypoints, atol=1e-3):
            return float('inf')
        return relative_difference(list(outputs[1:]), list(expected[1:]))


def pose_keypoints(cfg: Config, model: nn.Module) -> PoseKeypoints:
    """The :class:`PoseKeypoints` of a top-down heatmap config, or an error
    naming what it cannot export."""
    decoder = model.head.decoder
    if type(decoder).__name__ != 'MSRAHeatmap' or decoder.unbiased:
        raise ConfigCheckError(
            f'{cfg.filename}: the graph decodes MSRAHeatmap heatmaps '
            '(unbiased=False), the codec of the MogaNet pose configs; this '
            f'model decodes with {type(decoder).__name__}')
    test_cfg = model.test_cfg or {}
    flip_indices = None
    if test_cfg.get('flip_test', False):
        if test_cfg.get('flip_mode', 'heatmap') != 'heatmap':
            raise ConfigCheckError(
                f'{cfg.filename}: the graph flips heatmaps (flip_mode '
                f'\'heatmap\'), not {test_cfg["flip_mode"]!r}')
        from mmpose.datasets.datasets.utils import parse_pose_metainfo
        dataset = cfg.test_dataloader.dataset
        meta = dataset.get('metainfo') or _dataset_class_meta(dataset)
        flip_indices = list(parse_pose_metainfo(dict(meta))['flip_indices'])
    scale = tuple(float(s) for s in decoder.scale_factor)
    return PoseKeypoints(model, flip_indices,
                         test_cfg.get('shift_heatmap', False), scale).eval()


def class_aware_nms(boxes: torch.Tensor, scores: torch.Tensor,
                    labels: torch.Tensor, iou_threshold: float):
    """mmcv's ``batched_nms`` (below its split threshold): the boxes of each
    class shifted apart by the largest coordinate, then one NMS, which
    torchvision's ``nms`` exports as ONNX ``NonMaxSuppression``. Returns the
    kept indices, by falling score."""
    import torchvision
    offsets = labels.to(boxes) * (boxes.max() + 1)
    return torchvision.ops.nms(boxes + offsets[:, None], scores,
                               iou_threshold)


def decode_deltas(coder, priors: torch.Tensor, deltas: torch.Tensor,
                  image_shape: torch.Tensor) -> torch.Tensor:
    """``DeltaXYWHBBoxCoder.decode`` of 2-D deltas, clipped to
    ``image_shape`` (h, w) as it clips them. Through mmdet's ``delta2bbox``
    directly (while exporting, the coder takes a path of mmdet 2 that imports
    the removed ``mmdet.core``), and clipped here with tensor operations
    (``delta2bbox`` clamps with Python numbers, which would fix the image
    size of the graph)."""
    from mmdet.models.task_modules.coders.delta_xywh_bbox_coder import (
        delta2bbox,
    )
    boxes = delta2bbox(priors, deltas, coder.means, coder.stds, None,
                       16 / 1000, False, coder.add_ctr_clamp,
                       coder.ctr_clamp)  # decode's default wh_ratio_clip
    if not coder.clip_border:
        return boxes
    x = torch.minimum(boxes[:, 0::2].clamp(min=0), image_shape[1])
    y = torch.minimum(boxes[:, 1::2].clamp(min=0), image_shape[0])
    return torch.stack([x[:, 0], y[:, 0], x[:, 1], y[:, 1]], dim=1)


class DenseDetections(nn.Module):
    """An MMDetection single-stage detector with a sigmoid-scored anchor
    head (RetinaNet) as ``image (1, C, H, W), image_shape (h, w) before
    padding, scale_factor (w, h) -> boxes in the original image, scores,
    labels``: mmdet's ``_predict_by_feat_single`` and ``_bbox_post_process``
    in exportable operations. Each level keeps its ``nms_pre`` best (anchor,
    class) scores above ``score_thr`` (top-k first, then the threshold: the
    same set); boxes are decoded and clipped to the image, rescaled to the
    original image, those without area dropped, class-aware NMS applied and
    the ``max_per_img`` best kept."""

    # One image per run: the boxes of each image are a list of their own.
    batch_size = 1
    input_names = ('image', 'image_shape', 'scale_factor')

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        self.size_divisor = model.data_preprocessor.pad_size_divisor
        head = model.bbox_head
        cfg = head.test_cfg
        self.nms_pre = cfg.get('nms_pre', -1)
        self.score_thr = cfg.get('score_thr', 0)
        self.iou_threshold = cfg.nms.get('iou_threshold', 0.5)
        self.max_per_img = cfg.max_per_img
        self.min_bbox_size = cfg.get('min_bbox_size', -1)

    def forward(self, image: torch.Tensor, image_shape: torch.Tensor,
                scale_factor: torch.Tensor):
        head = self.model.bbox_head
        cls_scores, bbox_preds = head(self.model.extract_feat(image))
        priors = head.prior_generator.grid_priors(
            [score.shape[-2:] for score in cls_scores], dtype=image.dtype,
            device=image.device)
        classes = head.cls_out_channels
        all_boxes, all_scores, all_labels = [], [], []
        for score, delta, level_priors in zip(cls_scores, bbox_preds,
                                              priors):
            score = score[0].permute(1, 2, 0).reshape(-1).sigmoid()
            delta = delta[0].permute(1, 2, 0).reshape(-1, 4)
            if self.nms_pre > 0:
                score, index = score.topk(min(self.nms_pre, score.shape[0]))
            else:
                score, index = score.sort(descending=True)
            anchor = torch.div(index, classes, rounding_mode='floor')
            all_boxes.append(decode_deltas(head.bbox_coder,
                                           level_priors[anchor],
                                           delta[anchor], image_shape))
            all_scores.append(score)
            all_labels.append(index % classes)
        boxes = torch.cat(all_boxes)
        scores = torch.cat(all_scores)
        labels = torch.cat(all_labels)
        keep = scores > self.score_thr
        boxes = boxes[keep] / scale_factor.repeat(2)
        scores, labels = scores[keep], labels[keep]
        if self.min_bbox_size >= 0:
            sizes = boxes[:, 2:] - boxes[:, :2]
            keep = (sizes > self.min_bbox_size).all(dim=1)
            boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
        keep = class_aware_nms(boxes, scores, labels,
                               self.iou_threshold)[:self.max_per_img]
        return boxes[keep], scores[keep], labels[keep]

    @staticmethod
    def example_inputs(image: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """The padded ``image`` with an image shape inside it and a
        rescaling, as mmdet's test pipeline gives them."""
        height, width = image.shape[2:]
        return (image, torch.tensor([height - 7., width - 3.]),
                torch.tensor([0.8, 0.75]))

    @staticmethod
    def dynamic_shapes(dynamic_size: bool):
        size = torch.export.Dim.DYNAMIC
        return ({2: size, 3: size} if dynamic_size else None, None, None)

    @staticmethod
    def difference(expected: Sequence[torch.Tensor],
                   outputs: Sequence[np.ndarray]) -> float:
        """The same detections (count and labels), boxes and scores
        relative to the largest."""
        if outputs[0].shape != tuple(expected[0].shape) or not np.array_equal(
                outputs[2], expected[2].numpy()):
            return float('inf')
        return relative_difference(list(outputs[:2]), list(expected[:2]))


def dense_detections(cfg: Config, model: nn.Module) -> DenseDetections:
    """The :class:`DenseDetections` of a RetinaNet-like detector, or an error
    naming why a detector cannot be exported yet."""
    head = getattr(model, 'bbox_head', None)
    if getattr(model, 'with_rpn', False) or head is None or not getattr(
            head, 'use_sigmoid_cls', False) or not hasattr(
                head, 'prior_generator') or type(head.bbox_coder).__name__ \
            != 'DeltaXYWHBBoxCoder':
        raise ConfigCheckError(
            f'{cfg.filename}: of the detectors, single-stage anchor heads '
            'with sigmoid scores and delta boxes (RetinaNet) are exported; '
            f'{type(model).__name__} is not yet (two-stage detectors need '
            'their RoI heads in the graph)')
    return DenseDetections(model).eval()


def _dataset_class_meta(dataset: dict) -> dict:
    from mmengine.registry import DATASETS
    with DATASETS.switch_scope_and_registry('mmpose') as registry:
        return registry.get(dataset['type']).METAINFO


# default_scope: (names of the graph's outputs, wrapper of the whole model)
WHOLE_MODELS = {
    'mmpretrain': (['logits'], lambda cfg, model: ClassifierLogits(model)),
    'mmseg': (['seg_logits'], lambda cfg, model: SegmentorLogits(model)),
    'mmpose': (['keypoints', 'keypoint_scores', 'heatmaps'], pose_keypoints),
    'mmdet': (['boxes', 'scores', 'labels'], lambda cfg, model:
              dense_detections(cfg, model)),
}
PARTS = ('model', 'backbone')


def check_exportable(cfg: Config, part: str):
    """Raises :class:`ConfigCheckError` unless ``part`` of the config's model
    can be exported (checked before any weights are loaded)."""
    if part not in PARTS:
        raise ConfigCheckError(f'part must be one of {PARTS}, got {part!r}')
    scope = cfg.get('default_scope')
    if part == 'model' and scope not in WHOLE_MODELS:
        raise ConfigCheckError(
            f'whole models of {sorted(WHOLE_MODELS)} configs are exported; '
            f'{cfg.filename} has default_scope {scope!r}; --part backbone '
            'exports its backbone')


def exported_module(cfg: Config, model: nn.Module,
                    part: str) -> Tuple[nn.Module, List[str]]:
    """The module that ``part`` of ``model`` exports as, and the names of
    its outputs."""
    check_exportable(cfg, part)
    if part == 'backbone':
        backbones = [m for m in model.modules() if isinstance(m, MogaNet)]
        if len(backbones) != 1:
            raise ConfigCheckError(
                f'--part backbone needs exactly one MogaNet in the model, '
                f'found {len(backbones)}')
        backbone = backbones[0]
        return backbone, [f'stage{i}' for i in backbone.out_indices]
    names, wrapper = WHOLE_MODELS[cfg.get('default_scope')]
    return wrapper(cfg, model).eval(), list(names)


def fixed_size_reason(module: nn.Module) -> Optional[str]:
    """Why the image size of ``module`` cannot be dynamic in ONNX, or None.

    Adaptive average pooling to an output larger than 1x1 (UperNet's pyramid
    pooling) is exported as gathers whose indices are computed for the
    traced size; ONNX has no adaptive pooling operator.
    """
    if isinstance(module, PoseKeypoints):
        return ('a top-down pose model takes person crops of its codec\'s '
                'input size')
    for name, layer in module.named_modules():
        if isinstance(layer, nn.AdaptiveAvgPool2d) and \
                layer.output_size not in (1, (1, 1)):
            return (f'{name} pools adaptively to {layer.output_size}, which '
                    'ONNX can only express for a fixed input size')
    return None


def export_graph(module: nn.Module, output_names: Sequence[str],
                 in_channels: int, shape: Tuple[int, int],
                 dynamic_size: bool, path: str):
    """Exports with torch's ONNX exporter (torch.export based), the batch
    (unless the module runs one image at a time) and, where
    ``dynamic_size``, the image size dynamic."""
    image = torch.rand(getattr(module, 'batch_size', 2), in_channels, *shape)
    if hasattr(module, 'dynamic_shapes'):
        dynamic_shapes = module.dynamic_shapes(dynamic_size)
    else:
        dynamic = torch.export.Dim.DYNAMIC
        dynamic_shapes = ({0: dynamic, 2: dynamic, 3: dynamic}
                          if dynamic_size else {0: dynamic}, )
    with torch.no_grad():
        program = torch.onnx.export(
            module, model_inputs(module, image),
            dynamo=True,
            input_names=list(getattr(module, 'input_names', ['image'])),
            output_names=list(output_names),
            dynamic_shapes=dynamic_shapes,
            verbose=False)
    program.save(path)


def model_inputs(module: nn.Module, image: torch.Tensor) -> tuple:
    """What ``module`` takes for ``image``: the image alone, or with what
    its ``example_inputs`` adds (a detector's image shape and rescaling)."""
    if hasattr(module, 'example_inputs'):
        return module.example_inputs(image)
    return (image, )


@torch.no_grad()
def onnxruntime_difference(module: nn.Module, path: str, in_channels: int,
                           shapes: Sequence[Tuple[int, int, int]],
                           raise_errors: bool = True) -> float:
    """Largest ONNX Runtime - PyTorch difference, relative to the largest
    output, over ``shapes`` (batch, height, width); with ``raise_errors``
    False an ONNX Runtime failure counts as an infinite difference."""
    import onnxruntime
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    generator = torch.Generator().manual_seed(0)
    worst = 0.
    names = getattr(module, 'input_names', ['image'])
    for batch, height, width in shapes:
        image = torch.rand(batch, in_channels, height, width,
                           generator=generator)
        inputs = model_inputs(module, image)
        expected = module(*inputs)
        if not isinstance(expected, (tuple, list)):
            expected = [expected]
        try:
            outputs = session.run(None, {
                name: value.numpy() for name, value in zip(names, inputs)})
        except Exception:  # ONNX Runtime's error classes share no base
            if raise_errors:
                raise
            return float('inf')
        if hasattr(module, 'difference'):
            difference = module.difference(expected, outputs)
        else:
            difference = relative_difference(
                [np.asarray(out) for out in outputs], expected)
        worst = max(worst, difference)
    return worst


class Exported(NamedTuple):
    """What :func:`export_onnx` wrote.

    Attributes:
        path: The ONNX file.
        in_channels: Channels of the image input.
        output_names: Names of the graph's outputs.
        fixed_size: Why the image size is fixed to the traced one, or None
            where any size runs.
        checked_shapes: (batch, height, width) compared with PyTorch.
        difference: Largest difference found there, relative to the
            largest output.
    """
    path: str
    in_channels: int
    output_names: List[str]
    fixed_size: Optional[str]
    checked_shapes: List[Tuple[int, int, int]]
    difference: float
    input_names: List[str]
    batch_size: Optional[int]  # None: dynamic


def default_shape(cfg: Config, module: nn.Module) -> Tuple[int, int]:
    """The image size traced when none is given: a pose model's input size,
    else 224 x 224."""
    if isinstance(module, PoseKeypoints):
        width, height = module.model.head.decoder.input_size
        return height, width
    return 224, 224


def export_onnx(cfg: Config, checkpoint: str, path: str,
                part: str = 'model',
                shape: Optional[Tuple[int, int]] = None) -> Exported:
    """Exports the config's model (``part='model'``: a classifier or a
    segmentor; ``'backbone'``: its MogaNet alone) in deploy mode with the
    weights of ``checkpoint`` (plain or deployed structure) to ``path``.

    The batch is dynamic; the image size too where the graph allows: that is
    tried first and checked at a size other than the traced one, since
    torch.export keeps sizes symbolic but bakes in those the model computes
    in Python (mmseg's Upsample takes ``int()`` of its input's shape). Where
    that fails, the traced size is exported. Nothing is written unless ONNX
    Runtime equals PyTorch within :data:`TOLERANCE`.
    """
    check_exportable(cfg, part)
    model = load_deployed_model(cfg, checkpoint)
    module, output_names = exported_module(cfg, model, part)
    backbone = next(m for m in model.modules() if isinstance(m, MogaNet))
    in_channels = backbone.in_channels
    shape = shape or default_shape(cfg, module)
    height, width = shape
    traced = (getattr(module, 'batch_size', 2), height, width)
    # Detectors see inputs padded to a multiple of their size divisor.
    divisor = getattr(module, 'size_divisor', 1)
    other = (1, -(-(height + 37) // divisor) * divisor,
             -(-max(1, width - 29) // divisor) * divisor)
    fixed_size = fixed_size_reason(module)
    unchecked = path + '.unchecked'
    try:
        if not fixed_size:
            export_graph(module, output_names, in_channels, shape, True,
                         unchecked)
            if not onnxruntime_difference(module, unchecked, in_channels,
                                          [traced, other],
                                          raise_errors=False) <= TOLERANCE:
                fixed_size = (
                    f'at {other[1]}x{other[2]} the graph is wrong (the model '
                    'computes sizes from the traced shape)')
        if fixed_size:
            export_graph(module, output_names, in_channels, shape, False,
                         unchecked)
        shapes = [traced, (1, height, width)] if fixed_size else [traced,
                                                                  other]
        difference = onnxruntime_difference(module, unchecked, in_channels,
                                            shapes)
        if not difference <= TOLERANCE:
            raise DeployLayoutError(
                f'ONNX Runtime outputs differ from PyTorch by '
                f'{difference:.2e} of the largest output (allowed '
                f'{TOLERANCE:.0e}); nothing written')
    except BaseException:
        if osp.exists(unchecked):
            os.remove(unchecked)
        raise
    os.replace(unchecked, path)
    return Exported(path, in_channels, output_names, fixed_size, shapes,
                    difference,
                    list(getattr(module, 'input_names', ['image'])),
                    getattr(module, 'batch_size', None))
