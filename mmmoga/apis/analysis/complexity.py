"""Parameters, FLOPs and speed of a built model at the official input size.

FLOPs come from ``mmengine.analysis.FlopAnalyzer``, the counter behind
``get_model_complexity_info`` that the 2.0 libraries' ``get_flops`` tools
use. Each task runs the part of the model the official tables counted (the
``forward_dummy`` of the 1.x libraries), on one image of the official size:

- detection, 1280x800: backbone, neck and heads; a two-stage detector's RoI
  heads get 1000 fixed proposals (100 for the mask heads), as mmdet 2.x's
  ``forward_dummy`` gave them, rather than whatever a random RPN proposes;
- segmentation, 2048x512: backbone, neck and decode head (not the auxiliary
  head, which only trains; Mask2Former's head with every decoder layer's
  predictions, as its forward computes them);
- pose: backbone and heatmap head at the codec's input size;
- classification: the classifier at the test crop size.
"""
import math
from typing import Dict, NamedTuple, Optional, Sequence, Tuple

import torch
from torch import nn

from mmmoga.errors import ConfigCheckError
from mmmoga.models import head_takes_data_samples
from mmmoga.tasks import TASKS, task_of
from mmmoga.utils import median_seconds

NUM_PROPOSALS = 1000


class Complexity(NamedTuple):
    params: int
    flops: int
    input_size: Tuple[int, int]   # width, height
    flops_by_operator: Dict[str, int]


def input_size(cfg, task: str) -> Tuple[int, int]:
    """Width and height of the image the tables count ``cfg`` at."""
    # Width x height of the inputs the official tables were counted at.
    if TASKS[task].count_size:
        return TASKS[task].count_size
    if task == 'pose':
        return tuple(cfg.codec['input_size'])
    if task == 'cls':
        crops = [t['crop_size'] for t in cfg.test_dataloader.dataset.pipeline
                 if t['type'] == 'CenterCrop']
        if len(crops) != 1:
            raise ValueError('cannot tell the test crop size: '
                             f'{len(crops)} CenterCrop steps in the test '
                             'pipeline')
        crop = crops[0]
        return (crop, crop) if isinstance(crop, int) else tuple(crop)
    raise ValueError(f'unknown task {task!r}')


def counted_size(cfg, task: str,
                 shape: Optional[Sequence[int]] = None) -> Tuple[int, int]:
    """Width and height of the image ``cfg`` is counted or timed at: the
    tables' size (:func:`input_size`), or ``shape`` (height, width) rounded
    up as the detector's data preprocessor pads (``pad_size_divisor``:
    mmdet's FPN adds upsampled maps that must match in size)."""
    if shape is None:
        return input_size(cfg, task)
    height, width = shape
    if height < 1 or width < 1:
        raise ConfigCheckError(f'--shape {height} {width}: both sides must '
                               'be positive')
    if task == 'det':
        divisor = cfg.model.get('data_preprocessor', {}).get(
            'pad_size_divisor', 1)
        height = math.ceil(height / divisor) * divisor
        width = math.ceil(width / divisor) * divisor
    return width, height


class CountedForward(nn.Module):
    """``model`` called on one image tensor the way the official count ran
    it; holds the extra inputs (data samples, proposals) fixed."""

    def __init__(self, model: nn.Module, task: str, size: Tuple[int, int]):
        super().__init__()
        self.model, self.task = model, task
        width, height = size
        self.samples = None
        self.proposals = None
        if task == 'det':
            from mmdet.structures import DetDataSample
            from mmengine.structures import InstanceData
            shape = (height, width)
            self.samples = [DetDataSample(metainfo=dict(
                img_shape=shape, ori_shape=shape, pad_shape=shape,
                batch_input_shape=shape, scale_factor=(1., 1.)))]
            generator = torch.Generator().manual_seed(0)
            corners = torch.rand(NUM_PROPOSALS, 2, 2, generator=generator)
            corners = corners * torch.tensor([width, height])
            boxes = torch.cat([corners.min(1).values, corners.max(1).values],
                              dim=1)
            self.proposals = [InstanceData(bboxes=boxes)]

    def forward(self, inputs: torch.Tensor):
        model = self.model
        if self.task == 'seg' and head_takes_data_samples(model.decode_head):
            return model.decode_head(model.extract_feat(inputs),
                                     self.seg_samples(inputs))
        if self.task == 'det':
            if getattr(model, 'with_rpn', False):
                feats = model.extract_feat(inputs)
                rpn_outs = model.rpn_head(feats)
                proposals = [p.to(inputs.device) for p in self.proposals]
                for proposal in proposals:
                    proposal.bboxes = proposal.bboxes.to(inputs.dtype)
                return rpn_outs, _roi_forward_dummy(model.roi_head, feats,
                                                    proposals)
            return model(inputs, self.samples, mode='tensor')
        if self.task == 'pose':
            return model(inputs, None, mode='tensor')
        return model(inputs, mode='tensor')

    @staticmethod
    def seg_samples(inputs: torch.Tensor):
        """One data sample per image of ``inputs`` with its shapes."""
        from mmseg.structures import SegDataSample
        shape = tuple(inputs.shape[-2:])
        return [SegDataSample(metainfo=dict(
            img_shape=shape, ori_shape=shape, pad_shape=shape,
            batch_input_shape=shape)) for _ in range(len(inputs))]


def _roi_forward_dummy(roi_head: nn.Module, feats, proposals):
    """The RoI heads as mmdet 2.x's ``forward_dummy`` ran them: the bbox
    head(s) on every proposal, the mask head(s) on the first 100, every
    cascade stage on the same proposals. (mmdet 3.x's ``forward`` refines
    the boxes between stages and runs the cascade mask heads on all 1000,
    which counts 2.9x the official FLOPs for Cascade Mask R-CNN.)"""
    from mmdet.structures.bbox import bbox2roi
    rois = bbox2roi([p.bboxes for p in proposals])
    mask_rois = rois[:100]
    stages = range(roi_head.num_stages) if hasattr(roi_head, 'num_stages') \
        else [None]
    outs = []
    for stage in stages:
        args = () if stage is None else (stage, )
        if roi_head.with_bbox:
            result = roi_head._bbox_forward(*args, feats, rois)
            outs += [result['cls_score'], result['bbox_pred']]
        if roi_head.with_mask:
            outs.append(roi_head._mask_forward(*args, feats,
                                               mask_rois)['mask_preds'])
    return tuple(outs)


def count_complexity(model: nn.Module, cfg, task: str,
                     size: Optional[Tuple[int, int]] = None) -> Complexity:
    """Parameters and FLOPs of ``model`` (built from ``cfg``) at ``size``
    (width, height; default: the official input size of ``task``)."""
    from mmengine.analysis import FlopAnalyzer
    size = size or input_size(cfg, task)
    model.eval()
    counted = CountedForward(model, task, size)
    inputs = torch.rand(1, 3, size[1], size[0])
    analyzer = FlopAnalyzer(counted, inputs)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    with torch.no_grad():
        flops = analyzer.total()
        by_operator = dict(analyzer.by_operator())
    params = sum(p.numel() for p in model.parameters())
    return Complexity(params, flops, size, by_operator)


def measure_speed(model: nn.Module, cfg, task: str, device: str = 'cpu',
                  warmup: int = 2, repeats: int = 5,
                  batch_size: int = 1,
                  size: Optional[Tuple[int, int]] = None,
                  progress: Optional[str] = None) -> Dict[str, float]:
    """Latency (median ms per batch of ``batch_size`` images of ``size``,
    default the official one, after ``warmup`` runs) and throughput
    (images/s) of the counted forward; with a ``progress`` description, a
    bar of that name counts the runs."""
    size = size or input_size(cfg, task)
    model = model.to(device).eval()
    counted = CountedForward(model, task, size)
    inputs = torch.rand(batch_size, 3, size[1], size[0], device=device)
    if task == 'det' and batch_size != 1:
        raise ValueError('detection speed is measured at batch size 1')
    synchronize = torch.cuda.synchronize if device.startswith('cuda') \
        else None
    latency, _ = median_seconds(lambda: counted(inputs), warmup, repeats,
                                synchronize, progress)
    return dict(latency_ms=latency * 1000,
                throughput=batch_size / latency)


# mmcv 1.x's counter (mmcv.cnn.utils.flops_counter), which made the
# official tables, hooks modules rather than tracing ops. What it counts
# beyond mmengine's multiply-accumulates: every conv / linear bias (one per
# output element), norms (one per element, two with affine parameters, as
# mmengine does for BN), ReLU-family activations and pooling (one per
# element), nn.Upsample modules (one per output element). It cannot see
# functional calls (F.interpolate, the gating multiplies, GELU / SiLU).
_MMCV_ACTIVATIONS = (nn.ReLU, nn.PReLU, nn.ELU, nn.LeakyReLU, nn.ReLU6)
_MMCV_POOLS = (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d,
               nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d,
               nn.AdaptiveMaxPool2d)
_MMCV_NORMS = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm,
               nn.modules.instancenorm._InstanceNorm)


def _mmcv_flops(module: nn.Module, inputs, output) -> Dict[str, int]:
    """What mmcv 1.x's hook for ``module`` adds, split by kind."""
    x = inputs[0]
    if isinstance(module, nn.ConvTranspose2d):
        kernel = module.kernel_size[0] * module.kernel_size[1]
        macs = x.numel() // x.shape[1] * module.in_channels * \
            module.out_channels // module.groups * kernel
        bias = output.numel() if module.bias is not None else 0
        return dict(conv=macs, bias=bias)
    if isinstance(module, nn.modules.conv._ConvNd):
        kernel = 1
        for size in module.kernel_size:
            kernel *= size
        macs = output.numel() * module.in_channels // module.groups * kernel
        bias = output.numel() if module.bias is not None else 0
        return dict(conv=macs, bias=bias)
    if isinstance(module, nn.Linear):
        macs = x.numel() * module.out_features
        return dict(linear=macs,
                    bias=module.out_features if module.bias is not None
                    else 0)
    if isinstance(module, _MMCV_NORMS):
        affine = getattr(module, 'affine', None) or getattr(
            module, 'elementwise_affine', False)
        return dict(norm=x.numel() * (2 if affine else 1))
    if isinstance(module, _MMCV_ACTIVATIONS):
        return dict(activation=output.numel())
    if isinstance(module, _MMCV_POOLS):
        return dict(pool=x.numel())
    if isinstance(module, nn.Upsample):
        return dict(upsample=output.numel())
    return {}


def count_mmcv_rules(model: nn.Module, cfg, task: str,
                     size: Optional[Tuple[int, int]] = None
                     ) -> Dict[str, int]:
    """FLOPs of the counted forward by mmcv 1.x's rules, by kind, at
    ``size`` (default: the official input size)."""
    size = size or input_size(cfg, task)
    model.eval()
    counted = CountedForward(model, task, size)
    totals: Dict[str, int] = {}

    def hook(module, inputs, output):
        if not torch.is_tensor(output) or not inputs or \
                not torch.is_tensor(inputs[0]):
            return
        for kind, flops in _mmcv_flops(module, inputs, output).items():
            totals[kind] = totals.get(kind, 0) + int(flops)

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    try:
        with torch.no_grad():
            counted(torch.rand(1, 3, size[1], size[0]))
    finally:
        for handle in handles:
            handle.remove()
    return totals


def input_label(size, task: str) -> str:
    """``size`` (width, height) written in the order of ``task``'s tables
    (its ``input_order`` in :mod:`mmmoga.tasks`)."""
    width, height = size
    return f'{height}x{width}' if TASKS[task].input_order == 'height x width' \
        else f'{width}x{height}'


class ModelComplexity(NamedTuple):
    """Parameters and FLOPs of a config's model, by both counting rules."""
    task: str
    size: Tuple[int, int]      # width, height of the counted image
    params: int
    flops: int                 # mmengine's FlopAnalyzer
    flops_by_operator: Dict[str, int]
    mmcv_rules: Dict[str, int]  # mmcv 1.x's counter (the official tables)

    @property
    def mmcv_flops(self) -> int:
        return sum(self.mmcv_rules.values())


def model_complexity(cfg, model: Optional[torch.nn.Module] = None,
                     shape: Optional[Sequence[int]] = None
                     ) -> ModelComplexity:
    """What the zoo table counts of ``cfg``'s model (built here unless
    given), at the table's input size or at ``shape`` (height, width;
    :func:`~mmmoga.apis.analysis.complexity.counted_size`)."""
    from mmmoga.engine import build_config_model
    task = task_of(cfg).name
    model = model if model is not None else build_config_model(cfg)
    size = counted_size(cfg, task, shape)
    counted = count_complexity(model, cfg, task, size)
    # The official tables' counter, for the notes on differing FLOPs.
    mmcv_rules = count_mmcv_rules(model, cfg, task, size)
    return ModelComplexity(task, size, counted.params, counted.flops,
                           counted.flops_by_operator, mmcv_rules)
