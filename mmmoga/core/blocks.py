"""The blocks of MogaNet, each a module that takes and returns ``(N, C, H,
W)`` tensors, built with torch alone.

:class:`MogaBlock` is one block of the network (gated spatial aggregation,
then the channel-aggregation FFN, each with a residual);
:class:`MultiOrderGatedAggregation` and :class:`ChannelAggregationFFN` are
its halves; each of them folds for inference (``switch_to_deploy``). They fit
into any network that passes feature maps of a fixed width, and their module
trees and parameter names are those of the official implementation.
"""
import contextlib
from typing import Dict, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.modules.batchnorm import _BatchNorm

from .layers import DropPath, build_activation, build_norm
from .reparameterized import (
    FusedChannelAggregationFFN,
    FusedGatedAggregation,
    SpaceToBatchDepthwiseConv2d,
    fold_norm_after_conv,
)

ConfigType = Dict


def _build_norm(cfg: ConfigType, num_features: int,
                cfg_name: str) -> nn.Module:
    """Builds a norm layer that is applied to ``(N, C, H, W)`` tensors."""
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError(f'{cfg_name} must be a dict with a "type" key, '
                        f'got {cfg!r}')
    if cfg['type'] in ('LN', nn.LayerNorm):
        raise ValueError(
            f"{cfg_name}={cfg!r}: 'LN' normalises the last (width) axis of "
            "an (N, C, H, W) tensor; use dict(type='LN2d') for a LayerNorm "
            'over channels')
    return build_norm(cfg, num_features, cfg_name)


class ElementScale(nn.Module):
    """Multiplies its input by a learnable per-channel scale.

    Args:
        embed_dims (int): Number of channels.
        init_value (float): Initial value of every scale. Defaults to 0.
    """

    def __init__(self, embed_dims: int, init_value: float = 0.):
        super().__init__()
        self.scale = nn.Parameter(
            torch.full((1, embed_dims, 1, 1), float(init_value)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.scale


class ChannelAggregationFFN(nn.Module):
    """Feed-forward network with channel aggregation (CA).

    ``fc1 -> 3x3 depth-wise conv -> act``, then the channel-aggregation step
    ``x + sigma * (x - act(decompose(x)))`` re-weights each channel against a
    one-channel summary of all of them, then ``fc2``.

    Args:
        embed_dims (int): Input and output channels.
        feedforward_channels (int): Hidden channels.
        kernel_size (int): Kernel size of the depth-wise conv. Defaults to 3.
        act_cfg (dict): Activation of the hidden layer and of the
            aggregation. Defaults to ``dict(type='GELU')``.
        ffn_drop (float): Dropout probability after the hidden activation and
            after ``fc2``. Defaults to 0.
    """

    def __init__(self,
                 embed_dims: int,
                 feedforward_channels: int,
                 kernel_size: int = 3,
                 act_cfg: ConfigType = dict(type='GELU'),
                 ffn_drop: float = 0.):
        super().__init__()
        self.fc1 = nn.Conv2d(embed_dims, feedforward_channels, 1)
        self.dwconv = nn.Conv2d(
            feedforward_channels,
            feedforward_channels,
            kernel_size,
            padding=kernel_size // 2,
            groups=feedforward_channels)
        self.act = build_activation(act_cfg, 'act_cfg')
        self.fc2 = nn.Conv2d(feedforward_channels, embed_dims, 1)
        self.drop = nn.Dropout(ffn_drop)
        self.decompose = nn.Conv2d(feedforward_channels, 1, 1)
        self.sigma = ElementScale(feedforward_channels, init_value=1e-5)
        self.decompose_act = build_activation(act_cfg, 'act_cfg')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.act(self.dwconv(self.fc1(x))))
        x = x + self.sigma(x - self.decompose_act(self.decompose(x)))
        return self.drop(self.fc2(x))


class MultiOrderDWConv(nn.Module):
    """Multi-order depth-wise convolutions, the value branch of the gating.

    A 5x5 depth-wise conv (dilation ``dw_dilation[0]``) sees every channel;
    its output is split by ``channel_split`` into low-, middle- and high-order
    parts. The middle part gets another 5x5 conv (dilation
    ``dw_dilation[1]``), the high part a 7x7 conv (dilation
    ``dw_dilation[2]``); a point-wise conv mixes the three parts.

    Args:
        embed_dims (int): Number of channels; must be divisible by
            ``sum(channel_split)``.
        dw_dilation (Sequence[int]): Dilations of the three depth-wise convs,
            each in 1..3. Defaults to ``(1, 2, 3)``.
        channel_split (Sequence[int]): Relative sizes of the three parts.
            Defaults to ``(1, 3, 4)``.
    """

    def __init__(self,
                 embed_dims: int,
                 dw_dilation: Sequence[int] = (1, 2, 3),
                 channel_split: Sequence[int] = (1, 3, 4)):
        super().__init__()
        if len(dw_dilation) != 3 or not all(1 <= d <= 3 for d in dw_dilation):
            raise ValueError('attn_dw_dilation must be three dilations in '
                             f'1..3, got {list(dw_dilation)}')
        if len(channel_split) != 3 or min(channel_split) <= 0:
            raise ValueError('attn_channel_split must be three positive '
                             f'ratios, got {list(channel_split)}')
        if embed_dims % sum(channel_split) != 0:
            raise ValueError(
                f'embed_dims {embed_dims} is not divisible by '
                f'sum(attn_channel_split) = {sum(channel_split)}')
        total = sum(channel_split)
        self.embed_dims = embed_dims
        self.embed_dims_1 = int(channel_split[1] / total * embed_dims)
        self.embed_dims_2 = int(channel_split[2] / total * embed_dims)
        self.embed_dims_0 = embed_dims - self.embed_dims_1 - self.embed_dims_2

        self.DW_conv0 = self._depthwise(embed_dims, 5, dw_dilation[0])
        self.DW_conv1 = self._depthwise(self.embed_dims_1, 5, dw_dilation[1])
        self.DW_conv2 = self._depthwise(self.embed_dims_2, 7, dw_dilation[2])
        self.PW_conv = nn.Conv2d(embed_dims, embed_dims, 1)

    @staticmethod
    def _depthwise(channels: int, kernel_size: int, dilation: int):
        # 'same' padding for an odd kernel with this dilation.
        padding = dilation * (kernel_size - 1) // 2
        return nn.Conv2d(
            channels,
            channels,
            kernel_size,
            padding=padding,
            dilation=dilation,
            groups=channels)

    def switch_to_deploy(self):
        """Computes the convs with dilation 3 by space-to-batch (same
        parameters, same outputs; see :class:`SpaceToBatchDepthwiseConv2d`).
        """
        for name in ('DW_conv0', 'DW_conv1', 'DW_conv2'):
            conv = getattr(self, name)
            if (conv.dilation[0] >= 3
                    and not isinstance(conv, SpaceToBatchDepthwiseConv2d)):
                setattr(self, name,
                        SpaceToBatchDepthwiseConv2d.from_conv(conv))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x_0 = self.DW_conv0(x)
        low, middle, high = torch.split(
            x_0, [self.embed_dims_0, self.embed_dims_1, self.embed_dims_2],
            dim=1)
        x = torch.cat([low, self.DW_conv1(middle),
                       self.DW_conv2(high)], dim=1)
        return self.PW_conv(x)


class MultiOrderGatedAggregation(nn.Module):
    """Spatial aggregation: ``proj_2(act(gate(x)) * act(value(x))) + input``.

    Before the two branches, ``proj_1`` and a feature decomposition
    ``x + sigma * (x - mean_HW(x))`` emphasise what differs from the global
    context.

    Args:
        embed_dims (int): Number of channels.
        attn_dw_dilation (Sequence[int]): Dilations of the value branch.
            Defaults to ``(1, 2, 3)``.
        attn_channel_split (Sequence[int]): Channel split of the value
            branch. Defaults to ``(1, 3, 4)``.
        attn_act_cfg (dict): Activation of the decomposition, the gate and
            the value. Defaults to ``dict(type='SiLU')``.
        attn_force_fp32 (bool): Compute the gating product and ``proj_2`` in
            float32 with autocast disabled on the input's device type. This
            reproduces the official implementation exactly, which applies
            ``act_gate`` to the gate and to the value *twice* in this mode
            (once before entering the float32 region and once inside it), so
            official checkpoints trained with it behave the same here.
            Defaults to False.
    """

    def __init__(self,
                 embed_dims: int,
                 attn_dw_dilation: Sequence[int] = (1, 2, 3),
                 attn_channel_split: Sequence[int] = (1, 3, 4),
                 attn_act_cfg: ConfigType = dict(type='SiLU'),
                 attn_force_fp32: bool = False):
        super().__init__()
        self.attn_force_fp32 = attn_force_fp32
        self.proj_1 = nn.Conv2d(embed_dims, embed_dims, 1)
        self.gate = nn.Conv2d(embed_dims, embed_dims, 1)
        self.value = MultiOrderDWConv(embed_dims, attn_dw_dilation,
                                      attn_channel_split)
        self.proj_2 = nn.Conv2d(embed_dims, embed_dims, 1)
        self.act_value = build_activation(attn_act_cfg, 'attn_act_cfg')
        self.act_gate = build_activation(attn_act_cfg, 'attn_act_cfg')
        self.sigma = ElementScale(embed_dims, init_value=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.proj_1(x)
        x = x + self.sigma(x - F.adaptive_avg_pool2d(x, output_size=1))
        x = self.act_value(x)
        gate, value = self.act_gate(self.gate(x)), self.act_gate(self.value(x))
        if self.attn_force_fp32:
            # The second activation is intentional: see the class docstring.
            with torch.autocast(device_type=x.device.type, enabled=False):
                x = self.proj_2(
                    self.act_gate(gate.float()) * self.act_gate(value.float()))
        else:
            x = self.proj_2(gate * value)
        return x + shortcut


class MogaBlock(nn.Module):
    """A MogaNet block: gated spatial aggregation, then the CA-FFN.

    Each half is ``x + drop_path(layer_scale * f(norm(x)))``.

    Args:
        embed_dims (int): Number of channels.
        ffn_ratio (float): Hidden channels of the FFN relative to
            ``embed_dims``. Defaults to 4.
        drop_rate (float): Dropout probability inside the FFN. Defaults to 0.
        drop_path_rate (float): Stochastic depth probability. Defaults to 0.
        act_cfg (dict): Activation of the FFN. Defaults to
            ``dict(type='GELU')``.
        norm_cfg (dict): The two pre-norms. Defaults to ``dict(type='BN')``.
        init_value (float): Initial layer scale. Defaults to 1e-5.
        attn_dw_dilation, attn_channel_split, attn_act_cfg, attn_force_fp32:
            See :class:`MultiOrderGatedAggregation`.
    """

    def __init__(self,
                 embed_dims: int,
                 ffn_ratio: float = 4.,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 act_cfg: ConfigType = dict(type='GELU'),
                 norm_cfg: ConfigType = dict(type='BN'),
                 init_value: float = 1e-5,
                 attn_dw_dilation: Sequence[int] = (1, 2, 3),
                 attn_channel_split: Sequence[int] = (1, 3, 4),
                 attn_act_cfg: ConfigType = dict(type='SiLU'),
                 attn_force_fp32: bool = False):
        super().__init__()
        self.norm1 = _build_norm(norm_cfg, embed_dims, 'conv_norm_cfg')
        self.attn = MultiOrderGatedAggregation(
            embed_dims,
            attn_dw_dilation=attn_dw_dilation,
            attn_channel_split=attn_channel_split,
            attn_act_cfg=attn_act_cfg,
            attn_force_fp32=attn_force_fp32)
        self.drop_path = (
            DropPath(drop_path_rate) if drop_path_rate > 0 else nn.Identity())
        self.norm2 = _build_norm(norm_cfg, embed_dims, 'conv_norm_cfg')
        self.mlp = ChannelAggregationFFN(
            embed_dims,
            int(embed_dims * ffn_ratio),
            act_cfg=act_cfg,
            ffn_drop=drop_rate)
        self.layer_scale_1 = nn.Parameter(
            torch.full((1, embed_dims, 1, 1), float(init_value)))
        self.layer_scale_2 = nn.Parameter(
            torch.full((1, embed_dims, 1, 1), float(init_value)))
        self.deploy = False

    def switch_to_deploy(self, name: str = 'block'):
        """Folds the norms, ``sigma`` and layer scales into the convs: ``attn``
        and ``mlp`` become :class:`FusedGatedAggregation` and
        :class:`FusedChannelAggregationFFN`, residuals included. ``name``
        names the block in errors."""
        if self.deploy:
            return
        self.attn = FusedGatedAggregation.fold(self.norm1, self.attn,
                                               self.layer_scale_1,
                                               f'{name}.norm1')
        self.mlp = FusedChannelAggregationFFN.fold(self.norm2, self.mlp,
                                                   self.layer_scale_2,
                                                   f'{name}.norm2')
        del self.norm1, self.norm2, self.layer_scale_1, self.layer_scale_2
        del self.drop_path
        self.deploy = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.deploy:
            return self.mlp(self.attn(x))
        x = x + self.drop_path(self.layer_scale_1 * self.attn(self.norm1(x)))
        x = x + self.drop_path(self.layer_scale_2 * self.mlp(self.norm2(x)))
        return x


class ConvPatchEmbed(nn.Module):
    """Downsampling between stages: one strided conv and a norm.

    Args:
        in_channels (int): Input channels.
        embed_dims (int): Output channels.
        kernel_size (int): Conv kernel size; the stride is
            ``kernel_size // 2 + 1``. Defaults to 3.
        norm_cfg (dict): Norm after the conv. Defaults to ``dict(type='BN')``.
    """

    def __init__(self,
                 in_channels: int,
                 embed_dims: int,
                 kernel_size: int = 3,
                 norm_cfg: ConfigType = dict(type='BN')):
        super().__init__()
        self.projection = nn.Conv2d(
            in_channels,
            embed_dims,
            kernel_size,
            stride=kernel_size // 2 + 1,
            padding=kernel_size // 2)
        self.norm = _build_norm(norm_cfg, embed_dims, 'conv_norm_cfg')

    def switch_to_deploy(self, name: str = 'patch_embed'):
        """Folds ``norm`` into ``projection``."""
        if isinstance(self.norm, nn.Identity):
            return
        self.projection = fold_norm_after_conv(self.projection, self.norm,
                                               f'{name}.norm')
        self.norm = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.projection(x))


class StackConvPatchEmbed(nn.Module):
    """The stem: two strided convs (``embed_dims // 2`` channels between).

    ``projection`` is ``conv, norm, act, conv, norm`` (indices 0..4).

    Args:
        in_channels (int): Input channels.
        embed_dims (int): Output channels.
        kernel_size (int): Kernel size of both convs, at most 3; each conv
            has stride ``kernel_size // 2 + 1``. Defaults to 3.
        act_cfg (dict): Activation between the convs. Defaults to
            ``dict(type='GELU')``.
        norm_cfg (dict): Norms after the convs. Defaults to
            ``dict(type='BN')``.
    """

    def __init__(self,
                 in_channels: int,
                 embed_dims: int,
                 kernel_size: int = 3,
                 act_cfg: ConfigType = dict(type='GELU'),
                 norm_cfg: ConfigType = dict(type='BN')):
        super().__init__()
        stride, padding = kernel_size // 2 + 1, kernel_size // 2
        self.projection = nn.Sequential(
            nn.Conv2d(in_channels, embed_dims // 2, kernel_size, stride,
                      padding),
            _build_norm(norm_cfg, embed_dims // 2, 'conv_norm_cfg'),
            build_activation(act_cfg, 'act_cfg'),
            nn.Conv2d(embed_dims // 2, embed_dims, kernel_size, stride,
                      padding),
            _build_norm(norm_cfg, embed_dims, 'conv_norm_cfg'),
        )

    def switch_to_deploy(self, name: str = 'patch_embed1'):
        """Folds the two norms into the convs before them."""
        for conv_index in (0, 3):
            norm = self.projection[conv_index + 1]
            if isinstance(norm, nn.Identity):
                continue
            self.projection[conv_index] = fold_norm_after_conv(
                self.projection[conv_index], norm,
                f'{name}.projection.{conv_index + 1}')
            self.projection[conv_index + 1] = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.projection(x)


@contextlib.contextmanager
def frozen_batchnorm_statistics(module: nn.Module):
    """Keeps BN running statistics unchanged while the block is recomputed.

    Activation checkpointing runs a block's forward twice in training mode;
    without this, every BN layer would fold the same batch into its running
    statistics twice and ``with_cp=True`` would train a different model.
    """
    saved = []
    for m in module.modules():
        if isinstance(m, _BatchNorm) and m.training and m.track_running_stats:
            saved.append((m, m.momentum, m.num_batches_tracked.clone()))
            m.momentum = 0.0  # running = 1 * running + 0 * batch statistic
    try:
        yield
    finally:
        for m, momentum, num_batches_tracked in saved:
            m.momentum = momentum
            m.num_batches_tracked.copy_(num_batches_tracked)

