"""MMDetection detectors as graphs that export whole: the network and its
post-processing (box decoding, NMS, RoI heads, mask selection) in tensor
operations that ``torch.onnx.export`` turns into ONNX operators.

mmdet's own post-processing does not export: it works on ``InstanceData``,
clamps with Python numbers (which fixes the image size of a graph), and runs
mmcv's compiled NMS and RoIAlign, which ONNX does not know. Each step below
computes what mmdet computes (the function it follows is named) with
torchvision's ``nms`` and ``roi_align``, which export as ONNX
``NonMaxSuppression`` and ``RoiAlign``.

Every graph runs one image: ``image (1, C, H, W)`` (normalised and padded as
the config's data preprocessor does), ``image_shape (h, w)`` (the resized
image inside the padding) and ``scale_factor (w, h)`` (the resizing from the
original image); it gives the final boxes in the original image, their
scores and labels, and for a mask model each box's mask probabilities on the
mask head's grid (:mod:`mmmoga.runtime.outputs` pastes them into the image,
as mmdet's ``FCNMaskHead`` does).
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config
from torch import nn

from mmmoga.errors import ConfigCheckError

from ..run.reparameterization import relative_difference


@torch.library.custom_op('mmmoga::first_kept_by_nms', mutates_args=())
def first_kept_by_nms(boxes: torch.Tensor, scores: torch.Tensor,
                      iou_threshold: float, max_kept: int) -> torch.Tensor:
    """torchvision's ``nms`` (the kept indices by falling score), the first
    ``max_kept`` of them (all where ``max_kept`` is not positive).

    One operator, so that the graph asks ONNX ``NonMaxSuppression`` for
    ``max_kept`` boxes (:func:`first_kept_by_nms_onnx`): greedy NMS keeps
    boxes in score order, so stopping there keeps the same boxes, and ONNX
    Runtime's NMS, which compares each candidate with every box kept so far,
    no longer goes on through tens of thousands of (RoI, class) candidates
    to keep boxes that are cut off anyway (half the time of a Mask R-CNN-S
    run with ``score_thr=0``, as ``benchmarks/detector_latency.py`` runs
    it)."""
    import torchvision
    kept = torchvision.ops.nms(boxes, scores, iou_threshold)
    return kept[:max_kept].clone() if max_kept > 0 else kept


@first_kept_by_nms.register_fake
def _first_kept_by_nms_fake(boxes, scores, iou_threshold, max_kept):
    # An unbacked count as torchvision's own nms makes it, at least 2 (what
    # the deprecated create_unbacked_symint() gave): with the default
    # minimum of 0, torch.export refused mmdet's delta2bbox, which branches
    # on a count of 0, as a guard on data.
    count = torch.library.get_ctx().new_dynamic_size(min=2)
    return boxes.new_empty(count, dtype=torch.int64)


def first_kept_by_nms_onnx(boxes, scores, iou_threshold: float,
                           max_kept: int):
    """:func:`first_kept_by_nms` as ONNX ``NonMaxSuppression`` (one batch,
    one class) with ``max_output_boxes_per_class``."""
    from onnxscript import opset18 as op
    selected = op.NonMaxSuppression(
        op.Unsqueeze(boxes, [0]), op.Unsqueeze(scores, [0, 1]),
        op.Constant(value_ints=[max_kept if max_kept > 0 else 2**63 - 1]),
        op.Constant(value_floats=[iou_threshold]))
    return op.Reshape(op.Slice(selected, [2], [3], [1]), [-1])


# What the exporter translates by hand (torch.onnx.export's
# custom_translation_table).
ONNX_TRANSLATIONS = {
    torch.ops.mmmoga.first_kept_by_nms.default: first_kept_by_nms_onnx}


def class_aware_nms(boxes: torch.Tensor, scores: torch.Tensor,
                    labels: torch.Tensor, iou_threshold: float,
                    max_kept: int):
    """mmcv's ``batched_nms`` (below its split threshold): the boxes of each
    class shifted apart by the largest coordinate, then one NMS. Returns the
    first ``max_kept`` kept indices, by falling score."""
    # The largest coordinate, 0 when there is no box (max() of nothing is
    # an error); boxes are clipped to the image, so never below 0.
    largest = torch.cat([boxes.reshape(-1), boxes.new_zeros(1)]).max()
    offsets = labels.to(boxes) * (largest + 1)
    return first_kept_by_nms(boxes + offsets[:, None], scores,
                             float(iou_threshold), int(max_kept))


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


def drop_small_boxes(min_bbox_size: float, boxes: torch.Tensor,
                     *others: torch.Tensor) -> Tuple[torch.Tensor, ...]:
    """mmdet's ``min_bbox_size`` filter (``_bbox_post_process``): boxes
    wider and higher than ``min_bbox_size`` (none dropped when negative),
    with the matching rows of ``others``."""
    if min_bbox_size < 0:
        return (boxes, *others)
    sizes = boxes[:, 2:] - boxes[:, :2]
    keep = (sizes > min_bbox_size).all(dim=1)
    return tuple(tensor[keep] for tensor in (boxes, *others))


class DetectionGraph(nn.Module):
    """What the detector graphs share: one image per run, its inputs and
    their example values, and how the export check compares outputs."""

    # One image per run: the boxes of each image are a list of their own.
    batch_size = 1
    input_names = ('image', 'image_shape', 'scale_factor')

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model
        self.size_divisor = model.data_preprocessor.pad_size_divisor
        # Detections the export check compared (:meth:`difference`).
        self.compared_detections = 0

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

    def difference(self, expected: Sequence[torch.Tensor],
                   outputs: Sequence[np.ndarray]) -> float:
        """The same detections (count and labels); boxes, scores (and mask
        probabilities) relative to the largest. Counts the detections
        compared (:meth:`check_note`)."""
        if outputs[0].shape != tuple(expected[0].shape) or not np.array_equal(
                outputs[2], expected[2].numpy()):
            return float('inf')
        self.compared_detections += len(outputs[0])
        if len(outputs[0]) == 0:
            return 0.
        compared = [0, 1] + list(range(3, len(expected)))
        return relative_difference([outputs[i] for i in compared],
                                   [expected[i] for i in compared])

    def check_note(self) -> Optional[str]:
        """What the export check could not show: a trained detector finds
        nothing in the random check images, so only the empty results were
        compared."""
        if self.compared_detections > 0:
            return None
        return ('the random check images gave no detection above the '
                'score threshold, so only empty results were compared; '
                'evaluate the file on real images (tools/test.py CONFIG '
                'FILE.onnx)')


class DenseDetections(DetectionGraph):
    """An MMDetection single-stage detector with a sigmoid-scored anchor
    head (RetinaNet): mmdet's ``_predict_by_feat_single`` and
    ``_bbox_post_process``. Each level keeps its ``nms_pre`` best (anchor,
    class) scores above ``score_thr`` (top-k first, then the threshold: the
    same set); boxes are decoded and clipped to the image, rescaled to the
    original image, those without area dropped, class-aware NMS applied and
    the ``max_per_img`` best kept."""

    output_names = ('boxes', 'scores', 'labels')

    def __init__(self, model: nn.Module):
        super().__init__(model)
        cfg = model.bbox_head.test_cfg
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
        boxes, scores, labels = drop_small_boxes(
            self.min_bbox_size, boxes[keep] / scale_factor.repeat(2),
            scores[keep], labels[keep])
        keep = class_aware_nms(boxes, scores, labels, self.iou_threshold,
                               self.max_per_img)
        return boxes[keep], scores[keep], labels[keep]


def roi_features(extractor: nn.Module, features: Sequence[torch.Tensor],
                 rois: torch.Tensor) -> torch.Tensor:
    """mmdet's ``SingleRoIExtractor``: each RoI ``(0, x1, y1, x2, y2)``
    pooled from the level its size maps to (``map_roi_levels``), with
    torchvision's ``roi_align`` in place of mmcv's (the same bilinear
    sampling; ONNX ``RoiAlign``)."""
    import torchvision
    layers = extractor.roi_layers
    features = features[:len(layers)]
    levels = extractor.map_roi_levels(rois, len(features))
    height, width = layers[0].output_size
    pooled = rois.new_zeros(rois.shape[0], extractor.out_channels, height,
                            width)
    for level, (feature, layer) in enumerate(zip(features, layers)):
        index = (levels == level).nonzero()[:, 0]
        pooled = pooled.index_copy(0, index, torchvision.ops.roi_align(
            feature, rois[index], (height, width), layer.spatial_scale,
            layer.sampling_ratio, layer.aligned))
    return pooled


def as_rois(boxes: torch.Tensor) -> torch.Tensor:
    """mmdet's ``bbox2roi`` for one image: a column of image index 0."""
    return torch.cat([boxes.new_zeros(boxes.shape[0], 1), boxes], dim=1)


class RoIDetections(DetectionGraph):
    """An MMDetection two-stage detector (Faster / Mask R-CNN, Cascade
    (Mask) R-CNN) with its post-processing:

    1. RPN proposals (``RPNHead._predict_by_feat_single`` and
       ``_bbox_post_process``): per level the ``nms_pre`` best anchors,
       decoded and clipped, boxes without area dropped, NMS per level, the
       ``max_per_img`` best.
    2. The box head on the proposals; a cascade refines them stage by stage
       (each stage's boxes regressed for its best class) and averages the
       stages' class logits (``CascadeRoIHead._refine_roi``).
    3. ``multiclass_nms`` (``BBoxHead._predict_by_feat_single``): every
       (RoI, class) above ``score_thr``, class-aware NMS, the
       ``max_per_img`` best.
    4. For a mask model, the mask head on the final boxes; each box keeps
       the sigmoid of its class's mask (a cascade averages its stages'
       sigmoids, ``CascadeRoIHead.predict_mask``).

    Boxes are rescaled to the original image at the end (mmdet rescales a
    box-only detector's before NMS: the same boxes, as IoU does not change
    with rescaling).
    """

    def __init__(self, model: nn.Module):
        super().__init__(model)
        roi_head = model.roi_head
        self.with_mask = roi_head.with_mask
        self.output_names = ('boxes', 'scores', 'labels') + (
            ('masks', ) if self.with_mask else ())
        self.cascade = isinstance(roi_head.bbox_head, nn.ModuleList)
        rpn_cfg = model.rpn_head.test_cfg
        self.rpn_nms_pre = rpn_cfg.get('nms_pre', -1)
        self.rpn_iou_threshold = rpn_cfg.nms.iou_threshold
        self.rpn_max_per_img = rpn_cfg.max_per_img
        self.rpn_min_bbox_size = rpn_cfg.get('min_bbox_size', -1)
        rcnn_cfg = roi_head.test_cfg
        self.score_thr = rcnn_cfg.score_thr
        self.iou_threshold = rcnn_cfg.nms.iou_threshold
        self.max_per_img = rcnn_cfg.max_per_img

    def proposals(self, features: Sequence[torch.Tensor],
                  image_shape: torch.Tensor) -> torch.Tensor:
        head = self.model.rpn_head
        cls_scores, bbox_preds = head(features)
        priors = head.prior_generator.grid_priors(
            [score.shape[-2:] for score in cls_scores],
            dtype=features[0].dtype, device=features[0].device)
        all_boxes, all_scores, all_levels = [], [], []
        for level, (score, delta, level_priors) in enumerate(
                zip(cls_scores, bbox_preds, priors)):
            score = score[0].permute(1, 2, 0).reshape(-1).sigmoid()
            delta = delta[0].permute(1, 2, 0).reshape(-1, 4)
            if self.rpn_nms_pre > 0:
                score, index = score.topk(
                    min(self.rpn_nms_pre, score.shape[0]))
                delta, level_priors = delta[index], level_priors[index]
            all_boxes.append(decode_deltas(head.bbox_coder, level_priors,
                                           delta, image_shape))
            all_scores.append(score)
            all_levels.append(torch.full_like(score, level,
                                              dtype=torch.long))
        boxes, scores, levels = drop_small_boxes(
            self.rpn_min_bbox_size, torch.cat(all_boxes),
            torch.cat(all_scores), torch.cat(all_levels))
        keep = class_aware_nms(boxes, scores, levels,
                               self.rpn_iou_threshold, self.rpn_max_per_img)
        return boxes[keep]

    def box_head(self, stage: int, features: Sequence[torch.Tensor],
                 rois: torch.Tensor) -> Tuple[nn.Module, torch.Tensor,
                                              torch.Tensor]:
        """The box head of ``stage`` (the only one unless a cascade), and
        its class logits and box deltas for ``rois``."""
        roi_head = self.model.roi_head
        extractor, head = roi_head.bbox_roi_extractor, roi_head.bbox_head
        if self.cascade:
            extractor, head = extractor[stage], head[stage]
        cls_score, bbox_pred = head(roi_features(extractor, features, rois))
        return head, cls_score, bbox_pred

    @staticmethod
    def class_boxes(head: nn.Module, rois: torch.Tensor,
                    bbox_pred: torch.Tensor,
                    image_shape: torch.Tensor) -> torch.Tensor:
        """Each RoI's decoded box for every class, ``(n, classes, 4)``
        (``(n, 1, 4)`` for a class-agnostic head)."""
        classes = 1 if head.reg_class_agnostic else head.num_classes
        boxes = decode_deltas(head.bbox_coder,
                              rois[:, 1:].repeat_interleave(classes, dim=0),
                              bbox_pred.reshape(-1, 4), image_shape)
        return boxes.reshape(rois.shape[0], classes, 4)

    def detections(self, features: Sequence[torch.Tensor],
                   image_shape: torch.Tensor):
        rois = as_rois(self.proposals(features, image_shape))
        stages = len(self.model.roi_head.bbox_head) if self.cascade else 1
        stage_logits = []
        for stage in range(stages):
            head, cls_score, bbox_pred = self.box_head(stage, features, rois)
            stage_logits.append(cls_score)
            if stage < stages - 1:
                # ``BBoxHead.regress_by_class`` for the best real class.
                label = cls_score[:, :-1].argmax(dim=1)
                boxes = self.class_boxes(head, rois, bbox_pred, image_shape)
                if boxes.shape[1] > 1:
                    boxes = boxes[torch.arange(boxes.shape[0]), label]
                rois = as_rois(boxes.reshape(-1, 4))
        scores = F.softmax(sum(stage_logits) / float(stages), dim=-1)
        classes = scores.shape[1] - 1
        boxes = self.class_boxes(head, rois, bbox_pred, image_shape).expand(
            -1, classes, -1).reshape(-1, 4)
        scores = scores[:, :-1].reshape(-1)
        labels = torch.arange(classes).repeat(rois.shape[0])
        keep = scores > self.score_thr
        boxes, scores, labels = boxes[keep], scores[keep], labels[keep]
        keep = class_aware_nms(boxes, scores, labels, self.iou_threshold,
                               self.max_per_img)
        return boxes[keep], scores[keep], labels[keep]

    def mask_probabilities(self, features: Sequence[torch.Tensor],
                           boxes: torch.Tensor,
                           labels: torch.Tensor) -> torch.Tensor:
        roi_head = self.model.roi_head
        rois = as_rois(boxes)
        extractors, heads = roi_head.mask_roi_extractor, roi_head.mask_head
        if not self.cascade:
            extractors, heads = [extractors], [heads]
        # A cascade averages as mmdet's ``merge_aug_masks``.
        probabilities = torch.stack([
            head(roi_features(extractor, features, rois)).sigmoid()
            for extractor, head in zip(extractors, heads)]).mean(dim=0)
        if heads[-1].class_agnostic:
            return probabilities[:, 0]
        return probabilities[torch.arange(boxes.shape[0]), labels]

    def forward(self, image: torch.Tensor, image_shape: torch.Tensor,
                scale_factor: torch.Tensor):
        features = self.model.extract_feat(image)
        boxes, scores, labels = self.detections(features, image_shape)
        outputs = (boxes / scale_factor.repeat(2), scores, labels)
        if not self.with_mask:
            return outputs
        return outputs + (self.mask_probabilities(features, boxes, labels), )


def _stages(module):
    """A cascade's heads (a ModuleList), or the one head."""
    return list(module) if isinstance(module, nn.ModuleList) else [module]


def check_roi_head(cfg: Config, model: nn.Module):
    """Raises :class:`ConfigCheckError` naming the first part of a two-stage
    detector that :class:`RoIDetections` does not compute as mmdet does."""
    roi_head = model.roi_head
    parts = [
        ('rpn_head', [model.rpn_head], lambda head: type(
            head).__name__ == 'RPNHead' and head.use_sigmoid_cls,
         'an RPNHead with sigmoid scores'),
        ('roi_head', [roi_head], lambda head: type(head).__name__ in (
            'StandardRoIHead', 'CascadeRoIHead') and
         not head.with_shared_head,
         'a StandardRoIHead or CascadeRoIHead without a shared head'),
        ('roi_head.bbox_head', _stages(roi_head.bbox_head), lambda head:
         not head.custom_cls_channels and type(
             head.bbox_coder).__name__ == 'DeltaXYWHBBoxCoder',
         'box heads with softmax scores and DeltaXYWHBBoxCoder boxes'),
    ]
    for key in ('bbox_roi_extractor', 'mask_roi_extractor'):
        if hasattr(roi_head, key):
            parts.append((
                f'roi_head.{key}', _stages(getattr(roi_head, key)),
                lambda extractor: type(extractor).__name__ ==
                'SingleRoIExtractor' and all(
                    type(layer).__name__ == 'RoIAlign' and
                    layer.pool_mode == 'avg'
                    for layer in extractor.roi_layers),
                'a SingleRoIExtractor with RoIAlign of average pooling'))
    for key, modules, supported, needed in parts:
        if not all(supported(module) for module in modules):
            raise ConfigCheckError(
                f'{cfg.filename}: model.{key}: the exported graph computes '
                f'{needed}, as the MogaNet detectors have')


def detection_graph(cfg: Config, model: nn.Module) -> DetectionGraph:
    """The graph of a detector: :class:`RoIDetections` for a two-stage
    one, :class:`DenseDetections` for a RetinaNet-like one, or an error
    naming why the detector cannot be exported."""
    if getattr(model, 'with_rpn', False) and getattr(model, 'with_roi_head',
                                                     False):
        check_roi_head(cfg, model)
        return RoIDetections(model).eval()
    head = getattr(model, 'bbox_head', None)
    if head is None or not getattr(head, 'use_sigmoid_cls', False) or \
            not hasattr(head, 'prior_generator') or \
            type(head.bbox_coder).__name__ != 'DeltaXYWHBBoxCoder':
        raise ConfigCheckError(
            f'{cfg.filename}: detectors are exported with an RPN and RoI '
            'heads (Faster / Mask / Cascade R-CNN) or a single-stage anchor '
            'head with sigmoid scores and delta boxes (RetinaNet); '
            f'{type(model).__name__} has neither')
    return DenseDetections(model).eval()


def detection_output_names(cfg: Config) -> List[str]:
    """The outputs of a detector config's graph (masks for a mask model)."""
    roi_head = cfg.model.get('roi_head') or {}
    names = ['boxes', 'scores', 'labels']
    return names + ['masks'] if roi_head.get('mask_head') else names
