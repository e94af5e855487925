"""An MMSegmentation encoder-decoder as a graph that exports with a dynamic
image size.

Two layers of mmseg's heads compute sizes in a way ONNX cannot follow for
another size than the traced one, so the graph uses equivalents:

* adaptive average pooling to a grid larger than 1x1 (UperNet's pyramid
  pooling) exports as gathers whose indices are computed for the traced
  size (ONNX has no adaptive pooling operator): :class:`BinAveragePool`
  computes PyTorch's bins from the input's size inside the graph;
* mmseg's ``Upsample`` takes ``int()`` of its scaled input size, a Python
  number that tracing bakes in: :class:`IntegerUpsample` multiplies the
  size by an integer factor instead (the same output size, and the same
  interpolation: the scale is exactly the factor).
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import nn

from mmmoga.errors import ConfigCheckError
from mmmoga.models import head_takes_data_samples


def bin_averages(size, bins: int) -> torch.Tensor:
    """The ``(bins, size)`` matrix that averages each of PyTorch's adaptive
    pooling bins: bin ``i`` covers ``floor(i * size / bins)`` up to
    ``ceil((i + 1) * size / bins)``."""
    index = torch.arange(bins)
    starts = torch.div(index * size, bins, rounding_mode='floor')
    ends = torch.div((index + 1) * size + bins - 1, bins,
                     rounding_mode='floor')
    positions = torch.arange(size)
    inside = ((positions >= starts[:, None]) &
              (positions < ends[:, None])).float()
    return inside / inside.sum(dim=1, keepdim=True)


class BinAveragePool(nn.Module):
    """``nn.AdaptiveAvgPool2d(output_size)`` as two matrix products whose
    averaging matrices are built from the input's size in the graph."""

    def __init__(self, output_size: Tuple[int, int]):
        super().__init__()
        self.output_size = output_size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        rows, columns = self.output_size
        height, width = x.shape[-2:]
        return bin_averages(height, rows).to(x) @ x @ bin_averages(
            width, columns).to(x).t()


class IntegerUpsample(nn.Module):
    """mmseg's ``Upsample`` by an integer ``factor`` with the output size
    computed from the input's in the graph."""

    def __init__(self, factor: int, mode: str, align_corners):
        super().__init__()
        self.factor = factor
        self.mode = mode
        self.align_corners = align_corners

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[-2:]
        return F.interpolate(x, size=(height * self.factor,
                                      width * self.factor), mode=self.mode,
                             align_corners=self.align_corners)


def _replacement(layer: nn.Module):
    """The exportable equivalent of ``layer``, or None to keep it."""
    from mmseg.models.utils import Upsample
    if isinstance(layer, nn.AdaptiveAvgPool2d):
        size = layer.output_size
        size = (size, size) if isinstance(size, int) else tuple(size)
        if None not in size:
            return BinAveragePool(size)
    if isinstance(layer, Upsample) and not layer.size and isinstance(
            layer.scale_factor, float) and layer.scale_factor.is_integer():
        return IntegerUpsample(int(layer.scale_factor), layer.mode,
                               layer.align_corners)
    return None


def make_size_dynamic(model: nn.Module) -> nn.Module:
    """Replaces, in place, the layers of ``model`` that would fix the size
    of its graph by their exportable equivalents; returns ``model``."""
    for name, layer in list(model.named_modules()):
        replacement = _replacement(layer)
        if replacement is not None:
            parent_name, _, child = name.rpartition('.')
            setattr(model.get_submodule(parent_name), child, replacement)
    return model


class SegmentorLogits(nn.Module):
    """An MMSegmentation encoder-decoder as ``image -> class logits`` at the
    image's size, resized as its ``predict`` resizes them (whole-image
    inference), with :func:`make_size_dynamic` applied."""

    output_names = ('seg_logits', )

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = make_size_dynamic(model)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        logits = self.model(image, mode='tensor')
        return F.interpolate(logits, size=image.shape[2:], mode='bilinear',
                             align_corners=self.model.align_corners)


def segmentor_graph(cfg, model: nn.Module) -> SegmentorLogits:
    """:class:`SegmentorLogits` of ``model``, or an error naming why its
    decode head cannot be exported."""
    head = model.decode_head
    if head_takes_data_samples(head):
        # Mask2Former: a graph of its own (the query head and its logits)
        # is not written.
        raise ConfigCheckError(
            f'{cfg.filename}: segmentors are exported with decode heads '
            'that compute class logits from the features alone (FCN, '
            f'Semantic FPN, UperNet, ...); {type(head).__name__} is not '
            'exported')
    return SegmentorLogits(model)
