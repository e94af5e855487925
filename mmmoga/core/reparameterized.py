"""The inference structure of MogaNet (``deploy=True`` / ``switch_to_deploy``).

In eval mode a MogaNet block is mostly linear algebra around a few
non-linearities, and the linear parts can be folded into the 1x1 convs next
to them. With ``a * x + b`` an eval-mode BatchNorm, ``s`` a ``sigma`` element
scale and ``g`` a layer scale, the attention half

    x + g * (proj_2(act(gate(v)) * act(value(v))) + bn1(x)),
    v = act(z),  z = y + s * (y - mean_HW(y)),  y = proj_1(bn1(x))

becomes ``proj_2'(...) + (1 + g * a) * x`` with ``g`` and ``g * b`` folded
into ``proj_2'``, and ``z = proj_1'(x) + context(mean_HW(x))`` with ``bn1``
and ``1 + s`` folded into ``proj_1'`` (the mean of a 1x1 conv's output is the
conv of the input's mean, so the context term costs one matrix-vector
product per image). The FFN half

    x + g * fc2(h + s * (h - act(decompose(h)))),  h = act(dw(fc1(bn2(x))))

becomes ``x + fc2'(h) + u * act(decompose(h))``: ``bn2`` folds into ``fc1``,
``g`` and ``1 + s`` into ``fc2'``, and the aggregation term is the rank-1
correction ``u = -g * (fc2.weight @ s)`` times the one-channel summary. The
patch embeddings' BNs fold into their convs; the stage output norms stay,
since the stage outputs are returned.

The folded model runs in channels-last memory format, where PyTorch's CPU
depth-wise convolutions are 1.5-4x faster than in NCHW (measured on a 2-core
x86 CPU), and computes the depth-wise convs with dilation 3 by space-to-batch
(:class:`SpaceToBatchDepthwiseConv2d`).
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.modules.batchnorm import _BatchNorm


def is_reparameterized_state_dict(keys) -> bool:
    """Whether state-dict ``keys`` hold MogaNet weights folded for deploy
    mode (found by a parameter only the folded blocks have)."""
    return any(key.endswith('attn.shortcut_scale') for key in keys)


def batchnorm_affine(norm: nn.Module,
                     name: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """``(scale, shift)`` with ``norm(x) == scale * x + shift`` per channel in
    eval mode. Only BatchNorm layers with running statistics are affine at
    inference; any other norm cannot be folded."""
    if not isinstance(norm, _BatchNorm) or norm.running_var is None:
        raise ValueError(
            f'deploy mode folds the BatchNorm layers into the convs, but '
            f'{name} is {type(norm).__name__}, which is not an affine map at '
            'inference; use conv_norm_cfg=dict(type="BN") (or "SyncBN") or '
            'keep deploy=False')
    scale = torch.rsqrt(norm.running_var + norm.eps)
    if norm.weight is not None:
        scale = scale * norm.weight
    shift = -norm.running_mean * scale
    if norm.bias is not None:
        shift = shift + norm.bias
    return scale, shift


def _conv_like(conv: nn.Conv2d, weight: torch.Tensor,
               bias: torch.Tensor) -> nn.Conv2d:
    """A conv with ``conv``'s geometry and the given (folded) parameters."""
    folded = nn.Conv2d(
        conv.in_channels,
        conv.out_channels,
        conv.kernel_size,
        stride=conv.stride,
        padding=conv.padding,
        dilation=conv.dilation,
        groups=conv.groups,
        bias=True,
        device=conv.weight.device,
        dtype=conv.weight.dtype)
    folded.weight.data.copy_(weight)
    folded.bias.data.copy_(bias)
    return folded


def _bias(conv: nn.Conv2d) -> torch.Tensor:
    if conv.bias is None:
        return conv.weight.new_zeros(conv.out_channels)
    return conv.bias


def fold_norm_after_conv(conv: nn.Conv2d, norm: nn.Module,
                         name: str) -> nn.Conv2d:
    """``norm(conv(x))`` as one conv."""
    scale, shift = batchnorm_affine(norm, name)
    return _conv_like(conv, conv.weight * scale.view(-1, 1, 1, 1),
                      _bias(conv) * scale + shift)


def fold_affine_before_pointwise(conv: nn.Conv2d, scale: torch.Tensor,
                                 shift: torch.Tensor) -> nn.Conv2d:
    """``conv(scale * x + shift)`` for a 1x1 conv, as one conv (exact: a 1x1
    conv without padding sees no border)."""
    matrix = conv.weight.flatten(1)
    return _conv_like(conv, conv.weight * scale.view(1, -1, 1, 1),
                      _bias(conv) + matrix @ shift)


def fold_sigma_into_proj_1(
        weight: torch.Tensor, bias: torch.Tensor,
        sigma: torch.Tensor) -> Tuple[torch.Tensor, ...]:
    """``z = y + s * (y - mean_HW(y))`` with ``y`` a 1x1 conv's output, as
    ``conv(x; weight', bias') + conv(mean_HW(x); context_weight,
    context_bias)``: the mean of a 1x1 conv's output is the conv of the
    input's mean.

    Returns:
        ``(weight', bias', context_weight, context_bias)``.
    """
    return (weight * (1 + sigma).view(-1, 1, 1, 1), bias * (1 + sigma),
            weight * -sigma.view(-1, 1, 1, 1), bias * -sigma)


def fold_sigma_into_fc2(
        weight: torch.Tensor, bias: torch.Tensor, sigma: torch.Tensor,
        layer_scale: Optional[torch.Tensor] = None
) -> Tuple[torch.Tensor, ...]:
    """``g * fc2(h + s * (h - d))`` (``d`` one channel, broadcast) as
    ``conv(h; weight', bias') + aggregation * d``: ``g`` and ``1 + s`` fold
    into the weight, and the ``- s * d`` term leaves the rank-1 correction
    ``aggregation = -g * (weight @ s)``; ``layer_scale`` None is ``g = 1``.

    Returns:
        ``(weight', bias', aggregation)``, the last of shape (1, C, 1, 1).
    """
    aggregation = -(weight.flatten(1) @ sigma)
    weight = weight * (1 + sigma).view(1, -1, 1, 1)
    if layer_scale is not None:
        weight = weight * layer_scale.view(-1, 1, 1, 1)
        bias = bias * layer_scale
        aggregation = aggregation * layer_scale
    return weight, bias, aggregation.view(1, -1, 1, 1)


class SpaceToBatchDepthwiseConv2d(nn.Conv2d):
    """A dilated depth-wise conv computed as an undilated one on the
    ``dilation**2`` interleaved sub-images of its input.

    Output position ``(i, j)`` of a conv with dilation ``d`` only reads
    inputs at the same position modulo ``d``; gathering each residue class
    into its own image (zero-padded to a multiple of ``d``, which is what the
    conv's own zero padding would read there) turns the dilated conv into a
    dense one with ``padding // d``. PyTorch's CPU kernel for dilated
    depth-wise convs is slow: a 7x7 conv with dilation 3 on 32 channels at
    56x56 (batch 8, channels-last) took 6.4 ms directly and 1.3 ms this way;
    with dilation 2 and a 5x5 kernel the direct call was faster (0.34 ms
    against 0.72), so MogaNet uses this class for dilation 3 only. The
    parameters are those of ``nn.Conv2d``; on other devices, when tracing
    and when exporting, the direct call is used.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dilation = self.dilation[0]
        if (x.device.type != 'cpu' or torch.jit.is_tracing()
                or torch.jit.is_scripting() or torch.onnx.is_in_onnx_export()
                or torch.compiler.is_compiling()
                or torch.compiler.is_exporting()):
            return super().forward(x)
        batch, channels, height, width = x.shape
        padded_height = -(-height // dilation) * dilation
        padded_width = -(-width // dilation) * dilation
        if (padded_height, padded_width) != (height, width):
            x = F.pad(x, (0, padded_width - width, 0, padded_height - height))
        sub_height = padded_height // dilation
        sub_width = padded_width // dilation
        # (N, C, H, W) as NHWC -> (N * d * d, C, H / d, W / d), channels-last.
        sub_images = x.permute(0, 2, 3, 1).reshape(
            batch, sub_height, dilation, sub_width, dilation,
            channels).permute(0, 2, 4, 1, 3, 5).reshape(
                batch * dilation * dilation, sub_height, sub_width,
                channels).permute(0, 3, 1, 2)
        out = F.conv2d(
            sub_images,
            self.weight,
            self.bias,
            padding=self.padding[0] // dilation,
            groups=self.groups)
        out = out.permute(0, 2, 3, 1).reshape(
            batch, dilation, dilation, sub_height, sub_width,
            channels).permute(0, 3, 1, 4, 2, 5).reshape(
                batch, padded_height, padded_width, channels)
        return out[:, :height, :width].permute(0, 3, 1, 2)

    @classmethod
    def from_conv(cls, conv: nn.Conv2d) -> 'SpaceToBatchDepthwiseConv2d':
        """The same conv, parameters shared."""
        if not (conv.groups == conv.in_channels == conv.out_channels
                and conv.stride == (1, 1)
                and conv.dilation[0] == conv.dilation[1]
                and conv.kernel_size[0] == conv.kernel_size[1]
                and conv.padding == tuple(
                    conv.dilation[0] * (k - 1) // 2
                    for k in conv.kernel_size)):
            raise ValueError(f'{conv} is not a same-size depth-wise conv')
        new = cls(conv.in_channels, conv.out_channels, conv.kernel_size,
                  padding=conv.padding, dilation=conv.dilation,
                  groups=conv.groups, bias=conv.bias is not None,
                  device=conv.weight.device, dtype=conv.weight.dtype)
        new.weight = conv.weight
        new.bias = conv.bias
        return new


class FusedGatedAggregation(nn.Module):
    """The attention half of a deployed block, residual included:
    ``x -> x + layer_scale_1 * attn(norm1(x))`` of the plain block.

    Built by :meth:`fold`; the keys of its state dict (``proj_1``,
    ``context``, ``gate``, ``value.*``, ``proj_2``, ``shortcut_scale``) hold
    folded values and only fit a deployed model.
    """

    def __init__(self, proj_1: nn.Conv2d, context: nn.Conv2d,
                 gate: nn.Conv2d, value: nn.Module, proj_2: nn.Conv2d,
                 shortcut_scale: torch.Tensor, act_value: nn.Module,
                 act_gate: nn.Module, attn_force_fp32: bool):
        super().__init__()
        self.proj_1 = proj_1
        self.context = context
        self.gate = gate
        self.value = value
        self.proj_2 = proj_2
        self.shortcut_scale = nn.Parameter(shortcut_scale)
        self.act_value = act_value
        self.act_gate = act_gate
        self.attn_force_fp32 = attn_force_fp32

    @classmethod
    @torch.no_grad()
    def fold(cls, norm: nn.Module, attn: nn.Module, layer_scale: torch.Tensor,
             name: str) -> 'FusedGatedAggregation':
        """Folds ``x + layer_scale * attn(norm(x))``; ``attn`` is a plain
        :class:`MultiOrderGatedAggregation`."""
        norm_scale, norm_shift = batchnorm_affine(norm, name)
        sigma = attn.sigma.scale.flatten()
        layer_scale = layer_scale.flatten()
        # y = proj_1(norm(x)), z = (1 + s) * y - s * mean_HW(y).
        proj_1 = fold_affine_before_pointwise(attn.proj_1, norm_scale,
                                              norm_shift)
        weight, bias, context_weight, context_bias = fold_sigma_into_proj_1(
            proj_1.weight, proj_1.bias, sigma)
        context = _conv_like(proj_1, context_weight, context_bias)
        proj_1 = _conv_like(proj_1, weight, bias)
        # layer_scale * (proj_2(...) + norm(x)) + x.
        proj_2 = _conv_like(
            attn.proj_2, attn.proj_2.weight * layer_scale.view(-1, 1, 1, 1),
            layer_scale * (_bias(attn.proj_2) + norm_shift))
        attn.value.switch_to_deploy()
        return cls(proj_1, context, attn.gate, attn.value, proj_2,
                   (1 + layer_scale * norm_scale).view(1, -1, 1, 1),
                   attn.act_value, attn.act_gate, attn.attn_force_fp32)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        context = self.context(x.mean((2, 3), keepdim=True))
        x_value = self.act_value(self.proj_1(x) + context)
        gate = self.act_gate(self.gate(x_value))
        value = self.act_gate(self.value(x_value))
        if self.attn_force_fp32:
            # The plain block's second activation, in float32 (see
            # MultiOrderGatedAggregation).
            with torch.autocast(device_type=x.device.type, enabled=False):
                out = self.proj_2(
                    self.act_gate(gate.float()) * self.act_gate(value.float()))
        else:
            out = self.proj_2(gate * value)
        return torch.addcmul(out, x, self.shortcut_scale)


class FusedChannelAggregationFFN(nn.Module):
    """The FFN half of a deployed block, residual included:
    ``x -> x + layer_scale_2 * mlp(norm2(x))`` of the plain block.

    Built by :meth:`fold`; ``aggregation`` is the rank-1 correction that the
    channel-aggregation step leaves after folding.
    """

    def __init__(self, fc1: nn.Conv2d, dwconv: nn.Conv2d, act: nn.Module,
                 decompose: nn.Conv2d, decompose_act: nn.Module,
                 fc2: nn.Conv2d, aggregation: torch.Tensor):
        super().__init__()
        self.fc1 = fc1
        self.dwconv = dwconv
        self.act = act
        self.decompose = decompose
        self.decompose_act = decompose_act
        self.fc2 = fc2
        self.aggregation = nn.Parameter(aggregation)

    @classmethod
    @torch.no_grad()
    def fold(cls, norm: nn.Module, mlp: nn.Module, layer_scale: torch.Tensor,
             name: str) -> 'FusedChannelAggregationFFN':
        """Folds ``x + layer_scale * mlp(norm(x))``; ``mlp`` is a plain
        :class:`ChannelAggregationFFN`."""
        norm_scale, norm_shift = batchnorm_affine(norm, name)
        sigma = mlp.sigma.scale.flatten()
        layer_scale = layer_scale.flatten()
        fc1 = fold_affine_before_pointwise(mlp.fc1, norm_scale, norm_shift)
        # layer_scale * fc2((1 + s) * h - s * d) = fc2'(h) + u * d.
        weight, bias, aggregation = fold_sigma_into_fc2(
            mlp.fc2.weight, _bias(mlp.fc2), sigma, layer_scale)
        return cls(fc1, mlp.dwconv, mlp.act, mlp.decompose, mlp.decompose_act,
                   _conv_like(mlp.fc2, weight, bias), aggregation)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.act(self.dwconv(self.fc1(x)))
        summary = self.decompose_act(self.decompose(hidden))
        return (x + self.fc2(hidden)).addcmul_(summary, self.aggregation)
