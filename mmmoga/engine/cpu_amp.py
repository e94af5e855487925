"""Mixed precision on a CPU: bfloat16 autocast where the CPU computes in
bfloat16 (AVX-512 BF16 or AMX).

mmengine's ``AmpOptimWrapper`` asserts a GPU (or NPU, MLU, MUSA) and stops
with an ``AssertionError`` on a CPU; its ``autocast`` utility, which the
validation and test loops use with ``fp16=True``, already runs bfloat16 on
a CPU. bfloat16 has float32's exponent range, so no loss scaling is needed.
"""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import OPTIM_WRAPPERS


def cpu_has_bfloat16() -> bool:
    """Whether this CPU computes in bfloat16 natively. torch asks oneDNN
    through a private operator; where it is missing, the answer is no."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@OPTIM_WRAPPERS.register_module()
class CpuAmpOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose forward passes (``optim_context``) run under
    ``torch.autocast('cpu', dtype=torch.bfloat16)``: convolutions and
    matrix products in bfloat16, the parameters, their gradients and the
    optimizer's state in float32. ``tools/train.py --amp`` uses it on a
    machine without a GPU."""

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), torch.autocast(
                device_type='cpu', dtype=torch.bfloat16):
            yield
