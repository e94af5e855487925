"""The exported graph against PyTorch: what a module takes for an image, and
the largest difference of ONNX Runtime's outputs from the module's."""
from typing import Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..run.reparameterization import relative_difference


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
