"""Mixed precision on a CPU: bfloat16 autocast where the CPU computes in
bfloat16 (AVX-512 BF16 or AMX).

mmengine's ``AmpOptimWrapper`` asserts a GPU (or NPU, MLU, MUSA) and stops
with an ``AssertionError`` on a CPU. Here the backbone and the neck (the
convolutions, most of the time) run under ``torch.autocast('cpu',
bfloat16)`` and hand float32 features to the heads: the heads' CPU code
paths do not take bfloat16 (mmcv's CPU NMS in MMDetection's RPN, numpy in
MMPose's heatmap accuracy). bfloat16 has float32's exponent range, so no
loss scaling is needed.
"""
import functools
from contextlib import contextmanager

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapper
from mmengine.registry import HOOKS, OPTIM_WRAPPERS

# The parts of a model that compute in bfloat16.
AUTOCAST_PARTS = ('backbone', 'neck')


def cpu_has_bfloat16() -> bool:
    """Whether this CPU computes in bfloat16 natively. torch asks oneDNN
    through a private operator; where it is missing, the answer is no."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def _to_float32(outputs):
    if torch.is_tensor(outputs):
        return outputs.float() if outputs.is_floating_point() else outputs
    if isinstance(outputs, (list, tuple)):
        return type(outputs)(_to_float32(output) for output in outputs)
    return outputs


def _in_bfloat16(forward):
    @functools.wraps(forward)
    def run(*args, **kwargs):
        with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
            outputs = forward(*args, **kwargs)
        return _to_float32(outputs)

    return run


@contextmanager
def bfloat16_backbone(model: torch.nn.Module):
    """Inside, the model's backbone and neck (where it has them) run under
    bfloat16 autocast and return float32 outputs; their parameters stay
    float32."""
    while is_model_wrapper(model):
        model = model.module
    parts = [getattr(model, name) for name in AUTOCAST_PARTS
             if isinstance(getattr(model, name, None), torch.nn.Module)]
    for part in parts:
        part.forward = _in_bfloat16(part.forward)
    try:
        yield parts
    finally:
        for part in parts:
            del part.forward  # the class's forward again


@OPTIM_WRAPPERS.register_module()
class CpuAmpOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward passes (``optim_context``) run the
    backbone and neck in bfloat16 (:func:`bfloat16_backbone`); parameters,
    gradients and the optimizer's state stay float32.
    ``tools/train.py --amp`` uses it on a machine without a GPU."""

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), bfloat16_backbone(model):
            yield


@HOOKS.register_module()
class CpuAmpTestHook(Hook):
    """Tests with the backbone and neck in bfloat16, as
    ``CpuAmpOptimWrapper`` trains (``tools/test.py --amp`` on a CPU)."""

    def before_test_epoch(self, runner):
        self._context = bfloat16_backbone(runner.model)
        self._context.__enter__()

    def after_test_epoch(self, runner, metrics=None):
        self._context.__exit__(None, None, None)
