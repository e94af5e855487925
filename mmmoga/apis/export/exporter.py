"""Export of a reparameterized MogaNet model to ONNX, checked in ONNX Runtime
against PyTorch before the file is kept.

The graph takes a normalised float32 image batch ``(N, C, H, W)``, as the
config's data_preprocessor hands it to the model, and does no resizing or
normalisation; a top-down pose model decodes its heatmaps into keypoints in
the graph (:mod:`mmmoga.runtime` maps them to the image), and a detector
also takes the image's shape and rescaling and returns its final detections
(:mod:`mmmoga.apis.export.detector`).
"""
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Sequence, Tuple

import torch
from mmengine.config import Config
from torch import nn

from mmmoga.checkpoint import load_checkpoint_file
from mmmoga.engine import build_config_model
from mmmoga.errors import ConfigCheckError, ConversionError
from mmmoga.models import MogaNet, reparameterize_model
from mmmoga.runtime import store_dataset_meta
from mmmoga.tasks import TASKS_BY_SCOPE
from mmmoga.utils import step

from ..run.reparameterization import TOLERANCE, load_reparameterized_model
from .comparison import model_inputs, onnxruntime_difference
from .detector import ONNX_TRANSLATIONS
from .pose import PoseKeypoints

PARTS = ('model', 'backbone')


def check_exportable(cfg: Config, part: str):
    """Raises :class:`ConfigCheckError` unless ``part`` of the config's model
    can be exported (checked before any weights are loaded)."""
    if part not in PARTS:
        raise ConfigCheckError(f'part must be one of {PARTS}, got {part!r}')
    scope = cfg.get('default_scope')
    if part == 'model' and scope not in TASKS_BY_SCOPE:
        raise ConfigCheckError(
            f'whole models of {sorted(TASKS_BY_SCOPE)} configs are exported; '
            f'{cfg.filename} has default_scope {scope!r}; --part backbone '
            'exports its backbone')


def check_model_exports(cfg: Config):
    """Raises :class:`ConfigCheckError` unless the config's whole model
    exports, found on the model built with random weights (no checkpoint
    needed): a detector without an exportable head, say."""
    check_exportable(cfg, 'model')
    model = build_config_model(cfg).eval()
    reparameterize_model(model)
    exported_module(cfg, model, 'model')


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
    # The task's graph (its ``output_names`` name the graph's outputs):
    # classifier_logits, segmentor_graph, pose_keypoints, detection_graph.
    graph = TASKS_BY_SCOPE[cfg.get('default_scope')].load('graph')
    module = graph(cfg, model).eval()
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
    segmentor; ``'backbone'``: its MogaNet alone), reparameterized, with the
    weights of ``checkpoint`` (plain or deployed structure) to ``path``.

    The batch is dynamic; the image size too where the graph allows: that is
    tried first and checked at a size other than the traced one, since
    torch.export keeps sizes symbolic but bakes in those the model computes
    in Python (mmseg's Upsample takes ``int()`` of its input's shape). Where
    that fails, the traced size is exported. Nothing is written unless ONNX
    Runtime equals PyTorch within :data:`TOLERANCE`.
    """
    check_exportable(cfg, part)
    model = load_reparameterized_model(cfg, checkpoint)
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
            with step('tracing the model into an ONNX graph of any image '
                      'size'):
                export_graph(module, output_names, in_channels, shape, True,
                             unchecked)
            shapes = [traced, other]
            with step('checking the graph against PyTorch in ONNX Runtime'):
                difference = onnxruntime_difference(
                    module, unchecked, in_channels, shapes,
                    raise_errors=False)
            if not difference <= TOLERANCE:
                fixed_size = (
                    f'at {other[1]}x{other[2]} the graph is wrong (the model '
                    'computes sizes from the traced shape)')
        if fixed_size:
            with step(f'tracing the model into an ONNX graph of size '
                      f'{height}x{width}'):
                export_graph(module, output_names, in_channels, shape, False,
                             unchecked)
            shapes = [traced, (1, height, width)]
            with step('checking the graph against PyTorch in ONNX Runtime'):
                difference = onnxruntime_difference(module, unchecked,
                                                    in_channels, shapes)
        if not difference <= TOLERANCE:
            raise ConversionError(
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
