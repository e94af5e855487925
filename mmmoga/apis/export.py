"""Export of a MogaNet model in deploy mode to ONNX, checked in ONNX Runtime
against PyTorch before the file is kept.

The graph takes a normalised float32 image batch ``(N, C, H, W)``, as the
config's data_preprocessor hands it to the model, and does no resizing or
normalisation; a top-down pose model decodes its heatmaps into keypoints in
the graph (:mod:`mmmoga.runtime` maps them to the image), and a detector
also takes the image's shape and rescaling and returns its final detections
(:mod:`mmmoga.apis.detector_graphs`).
"""
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from mmmoga.checkpoint import load_checkpoint_file
from mmmoga.errors import ConfigCheckError, DeployLayoutError
from mmmoga.models import MogaNet
from mmmoga.runtime import store_dataset_meta

from .config import test_dataset_meta
from .deploy import TOLERANCE, load_deployed_model, relative_difference
from .detector_graphs import ONNX_TRANSLATIONS, detection_graph
from .segmentor_graphs import segmentor_graph


class ClassifierLogits(nn.Module):
    """An MMPretrain classifier as ``image -> logits``."""

    output_names = ('logits', )

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.model(image, mode='tensor')


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

    output_names = ('keypoints', 'keypoint_scores', 'heatmaps')

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
        flip_indices = list(test_dataset_meta(cfg)['flip_indices'])
    scale = tuple(float(s) for s in decoder.scale_factor)
    return PoseKeypoints(model, flip_indices,
                         test_cfg.get('shift_heatmap', False), scale).eval()


# default_scope: the whole model's graph (its ``output_names`` name the
# graph's outputs).
WHOLE_MODELS = {
    'mmpretrain': lambda cfg, model: ClassifierLogits(model),
    'mmseg': segmentor_graph,
    'mmpose': pose_keypoints,
    'mmdet': detection_graph,
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
    module = WHOLE_MODELS[cfg.get('default_scope')](cfg, model).eval()
    return module, list(module.output_names)


def fixed_size_reason(module: nn.Module) -> Optional[str]:
    """Why the image size of ``module`` is fixed by design, or None (where
    the graph turns out wrong at another size, :func:`export_onnx` finds
    out and fixes it too)."""
    if isinstance(module, PoseKeypoints):
        return ('a top-down pose model takes person crops of its codec\'s '
                'input size')
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
            custom_translation_table=ONNX_TRANSLATIONS,
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
        input_names: Names of the graph's inputs.
        batch_size: Images per run, or None where the batch is dynamic.
        check_note: What the check could not show (a detector that found
            nothing in the check images), or None.
    """
    path: str
    in_channels: int
    output_names: List[str]
    fixed_size: Optional[str]
    checked_shapes: List[Tuple[int, int, int]]
    difference: float
    input_names: List[str]
    batch_size: Optional[int]
    check_note: Optional[str] = None


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
            shapes = [traced, other]
            difference = onnxruntime_difference(
                module, unchecked, in_channels, shapes, raise_errors=False)
            if not difference <= TOLERANCE:
                fixed_size = (
                    f'at {other[1]}x{other[2]} the graph is wrong (the model '
                    'computes sizes from the traced shape)')
        if fixed_size:
            export_graph(module, output_names, in_channels, shape, False,
                         unchecked)
            shapes = [traced, (1, height, width)]
            difference = onnxruntime_difference(module, unchecked,
                                                in_channels, shapes)
        if not difference <= TOLERANCE:
            raise DeployLayoutError(
                f'ONNX Runtime outputs differ from PyTorch by '
                f'{difference:.2e} of the largest output (allowed '
                f'{TOLERANCE:.0e}); nothing written')
        # The checkpoint's classes and palette travel with the graph, for
        # drawing (tools/infer.py) as the inferencers draw with a
        # checkpoint.
        store_dataset_meta(unchecked, load_checkpoint_file(checkpoint).get(
            'meta', {}).get('dataset_meta') or {})
    except BaseException:
        if osp.exists(unchecked):
            os.remove(unchecked)
        raise
    os.replace(unchecked, path)
    note = module.check_note() if hasattr(module, 'check_note') else None
    return Exported(path, in_channels, output_names, fixed_size, shapes,
                    difference,
                    list(getattr(module, 'input_names', ['image'])),
                    getattr(module, 'batch_size', None), note)
