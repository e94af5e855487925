"""MogaNet: Efficient Multi-order Gated Aggregation Network (ICLR 2024).

The module tree and parameter names follow the official implementation, so
that its ImageNet and downstream checkpoints load without any key mapping.
"""
import contextlib
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.checkpoint as cp
from mmcv.cnn import build_activation_layer, build_norm_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm

from mmmoga.errors import ConversionError

from .moganet_reparameterized import (
    FusedChannelAggregationFFN,
    FusedGatedAggregation,
    SpaceToBatchDepthwiseConv2d,
    fold_norm_after_conv,
    is_reparameterized_state_dict,
)

ConfigType = Dict
OptConfigType = Optional[Dict]


def _trains_on_cpu(module: nn.Module, x: torch.Tensor) -> bool:
    """Whether ``module`` trains on the CPU, where MogaNet runs channels-last
    (:meth:`MogaNet._runs_channels_last`). The blocks compute the official
    formulation in every mode and on every device."""
    return module.training and x.device.type == 'cpu'


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
    return build_norm_layer(cfg, num_features)[1]


class ElementScale(BaseModule):
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


class ChannelAggregationFFN(BaseModule):
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
        self.act = build_activation_layer(act_cfg)
        self.fc2 = nn.Conv2d(feedforward_channels, embed_dims, 1)
        self.drop = nn.Dropout(ffn_drop)
        self.decompose = nn.Conv2d(feedforward_channels, 1, 1)
        self.sigma = ElementScale(feedforward_channels, init_value=1e-5)
        self.decompose_act = build_activation_layer(act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop(self.act(self.dwconv(self.fc1(x))))
        x = x + self.sigma(x - self.decompose_act(self.decompose(x)))
        return self.drop(self.fc2(x))


class MultiOrderDWConv(BaseModule):
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


class MultiOrderGatedAggregation(BaseModule):
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
        self.act_value = build_activation_layer(attn_act_cfg)
        self.act_gate = build_activation_layer(attn_act_cfg)
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


class MogaBlock(BaseModule):
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


class ConvPatchEmbed(BaseModule):
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


class StackConvPatchEmbed(BaseModule):
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
            build_activation_layer(act_cfg),
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
def _frozen_batchnorm_statistics(module: nn.Module):
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


@MODELS.register_module()
class MogaNet(BaseModule):
    """MogaNet backbone.

    A PyTorch implementation of `Efficient Multi-order Gated Aggregation
    Network <https://arxiv.org/abs/2211.03295>`_ (ICLR 2024). Parameter names
    and shapes equal those of the official implementation, so its ImageNet
    checkpoints load with ``init_cfg=dict(type='Pretrained', checkpoint=...)``
    (only the classifier ``head.*`` is left over) and its detection,
    segmentation and pose checkpoints with ``prefix='backbone.'``.

    Stage ``i`` (0-based) is ``patch_embed{i+1}`` (the stem for stage 0, a
    strided conv otherwise), the blocks ``blocks{i+1}`` and the output norm
    ``norm{i+1}``; the stages have strides 4, 8, 16 and 32.

    Args:
        arch (str | dict): Architecture. A name or alias from
            :attr:`arch_zoo` (``'xtiny'``/``'xt'``, ``'tiny'``/``'t'``,
            ``'small'``/``'s'``, ``'base'``/``'b'``, ``'large'``/``'l'``,
            ``'xlarge'``/``'xl'``), or a dict with exactly the keys
            ``embed_dims``, ``depths`` and ``ffn_ratios``, each a list with
            one entry per stage. Defaults to ``'tiny'``.
        in_channels (int): Channels of the input image. Defaults to 3.
        out_indices (Sequence[int] | int): Stages whose (normed) output is
            returned, in stage order; negative indices count from the last
            stage. Defaults to ``(0, 1, 2, 3)``.
        frozen_stages (int): Freeze stages ``0..frozen_stages``: their
            parameters stop requiring gradients and their modules stay in
            eval mode through ``train()``. -1 freezes nothing.
            Defaults to -1.
        norm_eval (bool): Keep every BatchNorm layer (BN and SyncBN) in eval
            mode during training, so running statistics stay frozen.
            Defaults to False.
        with_cp (bool): Checkpoint the activations of every block during
            training to save memory at the cost of a second forward pass.
            Outputs, gradients and BN statistics equal those without it.
            Defaults to False.
        drop_rate (float): Dropout probability inside the FFNs.
            Defaults to 0.
        drop_path_rate (float): Stochastic depth probability of the last
            block; it grows linearly from 0 over the blocks. Defaults to 0.
        init_value (float): Initial value of the layer scales.
            Defaults to 1e-5.
        patch_sizes (Sequence[int]): Kernel size of the stem (at most 3) and
            of the three downsampling convs; each conv has stride
            ``size // 2 + 1``. Defaults to ``(3, 3, 3, 3)``.
        stem_norm_cfg (dict): Norm at the end of every stage (``norm1`` ...
            ``norm4``), named after the official ``stem_norm_type``.
            ``dict(type='LN')`` is applied over channels as well.
            Defaults to ``dict(type='BN')``.
        conv_norm_cfg (dict): Norm of the stem, the downsampling convs and the
            blocks; it must normalise ``(N, C, H, W)`` tensors (BN, SyncBN,
            GN, LN2d, ...). Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation of the stem and the FFNs.
            Defaults to ``dict(type='GELU')``.
        attn_dw_dilation (Sequence[int]): Dilations of the multi-order
            depth-wise convs. Defaults to ``(1, 2, 3)``.
        attn_channel_split (Sequence[int]): Channel split of the multi-order
            depth-wise convs. Defaults to ``(1, 3, 4)``.
        attn_act_cfg (dict): Activation of the gating branches.
            Defaults to ``dict(type='SiLU')``.
        attn_final_dilation (bool): Whether the last stage keeps
            ``attn_dw_dilation``; if False it uses dilations ``(1, 2, 1)``.
            Defaults to True.
        attn_force_fp32 (bool): Compute the gating in float32 under autocast,
            applying the gate activation twice exactly like the official
            implementation does; see :class:`MultiOrderGatedAggregation`.
            Defaults to False.
        deploy (bool): Build the inference structure that
            :meth:`switch_to_deploy` converts a trained model to: norms,
            ``sigma`` scales and layer scales folded into the convs,
            channels-last memory format, space-to-batch for the dilation-3
            convs (see
            :mod:`~mmmoga.models.backbones.moganet_reparameterized`). It
            loads only weights saved from a deployed model
            (``tools/reparameterize_model.py``), runs in eval mode only and
            needs BatchNorm as ``conv_norm_cfg``. Defaults to False.
        init_cfg (dict | list[dict], optional): Initialisation config, e.g.
            ``dict(type='Pretrained', checkpoint=PATH, prefix='backbone.')``
            to load weights. Defaults to ``dict(type='FanOutNormal',
            layer='Conv2d')``, the random initialisation of the official
            code (see :class:`~mmmoga.models.layers.FanOutNormalInit`).
    """
    arch_zoo = {
        **dict.fromkeys(['xt', 'xtiny', 'x-tiny'],
                        {'embed_dims': [32, 64, 96, 192],
                         'depths': [3, 3, 10, 2],
                         'ffn_ratios': [8, 8, 4, 4]}),
        **dict.fromkeys(['t', 'tiny'],
                        {'embed_dims': [32, 64, 128, 256],
                         'depths': [3, 3, 12, 2],
                         'ffn_ratios': [8, 8, 4, 4]}),
        **dict.fromkeys(['s', 'small'],
                        {'embed_dims': [64, 128, 320, 512],
                         'depths': [2, 3, 12, 2],
                         'ffn_ratios': [8, 8, 4, 4]}),
        **dict.fromkeys(['b', 'base'],
                        {'embed_dims': [64, 160, 320, 512],
                         'depths': [4, 6, 22, 3],
                         'ffn_ratios': [8, 8, 4, 4]}),
        **dict.fromkeys(['l', 'large'],
                        {'embed_dims': [64, 160, 320, 640],
                         'depths': [4, 6, 44, 4],
                         'ffn_ratios': [8, 8, 4, 4]}),
        **dict.fromkeys(['xl', 'xlarge', 'x-large'],
                        {'embed_dims': [96, 192, 480, 960],
                         'depths': [6, 6, 44, 4],
                         'ffn_ratios': [8, 8, 4, 4]}),
    }  # yapf: disable
    arch_keys = ('embed_dims', 'depths', 'ffn_ratios')

    def __init__(self,
                 arch: Union[str, Dict] = 'tiny',
                 in_channels: int = 3,
                 out_indices: Union[int, Sequence[int]] = (0, 1, 2, 3),
                 frozen_stages: int = -1,
                 norm_eval: bool = False,
                 with_cp: bool = False,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 init_value: float = 1e-5,
                 patch_sizes: Sequence[int] = (3, 3, 3, 3),
                 stem_norm_cfg: ConfigType = dict(type='BN'),
                 conv_norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='GELU'),
                 attn_dw_dilation: Sequence[int] = (1, 2, 3),
                 attn_channel_split: Sequence[int] = (1, 3, 4),
                 attn_act_cfg: ConfigType = dict(type='SiLU'),
                 attn_final_dilation: bool = True,
                 attn_force_fp32: bool = False,
                 deploy: bool = False,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = dict(
                     type='FanOutNormal', layer='Conv2d')):
        super().__init__(init_cfg=init_cfg)
        self.arch_settings = self._parse_arch(arch)
        self.embed_dims = list(self.arch_settings['embed_dims'])
        self.depths = list(self.arch_settings['depths'])
        self.ffn_ratios = list(self.arch_settings['ffn_ratios'])
        self.num_stages = len(self.depths)
        self.in_channels = in_channels
        self.out_indices = self._parse_out_indices(out_indices,
                                                   self.num_stages)
        if not -1 <= frozen_stages < self.num_stages:
            raise ValueError(f'frozen_stages must be in -1..'
                             f'{self.num_stages - 1}, got {frozen_stages}')
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self.with_cp = with_cp
        if len(patch_sizes) != self.num_stages:
            raise ValueError(f'patch_sizes needs {self.num_stages} entries, '
                             f'got {list(patch_sizes)}')
        if patch_sizes[0] > 3:
            raise ValueError('patch_sizes[0] is the kernel of the two-conv '
                             'stem and must be at most 3, got '
                             f'{patch_sizes[0]}')
        if not 0 <= drop_path_rate < 1:
            raise ValueError(
                f'drop_path_rate must be in [0, 1), got {drop_path_rate}')

        if not isinstance(stem_norm_cfg, dict) or 'type' not in stem_norm_cfg:
            raise TypeError('stem_norm_cfg must be a dict with a "type" key, '
                            f'got {stem_norm_cfg!r}')

        # Stochastic depth grows linearly over all blocks.
        block_drop_path_rates = torch.linspace(
            0, drop_path_rate, sum(self.depths), device='cpu').tolist()
        block_index = 0
        for i, (dims, depth) in enumerate(zip(self.embed_dims, self.depths)):
            if i == 0:
                patch_embed = StackConvPatchEmbed(
                    in_channels,
                    dims,
                    kernel_size=patch_sizes[i],
                    act_cfg=act_cfg,
                    norm_cfg=conv_norm_cfg)
            else:
                patch_embed = ConvPatchEmbed(
                    self.embed_dims[i - 1],
                    dims,
                    kernel_size=patch_sizes[i],
                    norm_cfg=conv_norm_cfg)
            last_stage = i == self.num_stages - 1
            dilation = (attn_dw_dilation if attn_final_dilation
                        or not last_stage else (1, 2, 1))
            blocks = nn.ModuleList([
                MogaBlock(
                    dims,
                    ffn_ratio=self.ffn_ratios[i],
                    drop_rate=drop_rate,
                    drop_path_rate=block_drop_path_rates[block_index + j],
                    act_cfg=act_cfg,
                    norm_cfg=conv_norm_cfg,
                    init_value=init_value,
                    attn_dw_dilation=dilation,
                    attn_channel_split=attn_channel_split,
                    attn_act_cfg=attn_act_cfg,
                    attn_force_fp32=attn_force_fp32) for j in range(depth)
            ])
            block_index += depth
            norm = build_norm_layer(stem_norm_cfg, dims)[1]
            self.add_module(f'patch_embed{i + 1}', patch_embed)
            self.add_module(f'blocks{i + 1}', blocks)
            self.add_module(f'norm{i + 1}', norm)

        self._freeze_stages()
        self.deploy = False
        if deploy:
            # Built plain and folded, so that both structures come from one
            # definition; the folded values are replaced by loaded weights.
            self.switch_to_deploy()

    def switch_to_deploy(self):
        """Converts the model in place to the inference structure that
        ``deploy=True`` builds, keeping its outputs in eval mode (up to
        float rounding); a second call does nothing. Afterwards the model is
        in eval mode and refuses ``train()``.

        Raises:
            ValueError: ``conv_norm_cfg`` is not a BatchNorm, so the norms
                cannot be folded; nothing is changed then.
        """
        if self.deploy:
            return
        for name, module in self.named_modules():
            if (re.fullmatch(r'patch_embed\d\.(norm|projection\.[14])|'
                             r'blocks\d\.\d+\.norm[12]', name)
                    and not isinstance(module, _BatchNorm)):
                raise ValueError(
                    'deploy mode folds the norms of the stem, the '
                    'downsampling convs and the blocks into convs, which '
                    'needs conv_norm_cfg=dict(type="BN") (or "SyncBN"); '
                    f'{name} is {type(module).__name__}')
        for i in range(self.num_stages):
            patch_embed, blocks, _ = self.stage_modules(i)
            patch_embed.switch_to_deploy(f'patch_embed{i + 1}')
            for j, block in enumerate(blocks):
                block.switch_to_deploy(f'blocks{i + 1}.{j}')
        self.deploy = True
        # The whole network runs channels-last (see forward); the weights
        # follow so that the convs need no per-call reordering.
        self.to(memory_format=torch.channels_last)
        super().train(False)

    @classmethod
    def _parse_arch(cls, arch) -> Dict[str, List]:
        if isinstance(arch, str):
            if arch.lower() not in cls.arch_zoo:
                raise ValueError(f'Unknown MogaNet arch {arch!r}; choose one '
                                 f'of {sorted(cls.arch_zoo)} or pass a dict '
                                 f'with keys {list(cls.arch_keys)}')
            return cls.arch_zoo[arch.lower()]
        if not isinstance(arch, dict):
            raise TypeError('arch must be a name or a dict, got '
                            f'{type(arch).__name__}: {arch!r}')
        if set(arch) != set(cls.arch_keys):
            missing = sorted(set(cls.arch_keys) - set(arch))
            unknown = sorted(set(arch) - set(cls.arch_keys))
            raise ValueError(f'A custom MogaNet arch needs exactly the keys '
                             f'{list(cls.arch_keys)}; missing {missing}, '
                             f'unknown {unknown}')
        lengths = {key: len(arch[key]) for key in cls.arch_keys}
        if len(set(lengths.values())) != 1 or lengths['depths'] == 0:
            raise ValueError('A custom MogaNet arch needs one entry per stage '
                             f'in every list, got lengths {lengths}')
        for key in cls.arch_keys:
            if not all(value > 0 for value in arch[key]):
                raise ValueError(f'arch[{key!r}] must be positive, got '
                                 f'{list(arch[key])}')
        return arch

    @classmethod
    def stage_widths(cls,
                     arch: Union[str, Dict],
                     out_indices: Union[int, Sequence[int]] = (0, 1, 2, 3)
                     ) -> List[int]:
        """Channels of the outputs of ``arch`` at ``out_indices``: what a
        neck such as FPN needs as ``in_channels``."""
        embed_dims = cls._parse_arch(arch)['embed_dims']
        return [embed_dims[i] for i in
                cls._parse_out_indices(out_indices, len(embed_dims))]

    @staticmethod
    def _parse_out_indices(out_indices, num_stages: int) -> List[int]:
        if isinstance(out_indices, int):
            out_indices = [out_indices]
        if not isinstance(out_indices, Sequence) or not out_indices:
            raise TypeError('out_indices must be an int or a non-empty '
                            f'sequence of ints, got {out_indices!r}')
        parsed = []
        for index in out_indices:
            if not -num_stages <= index < num_stages:
                raise ValueError(f'out_indices entry {index} is out of range '
                                 f'for {num_stages} stages')
            parsed.append(index % num_stages)
        if len(set(parsed)) != len(parsed):
            raise ValueError(f'out_indices {list(out_indices)} repeats a '
                             'stage')
        return sorted(parsed)

    def stage_modules(self, index: int) -> Tuple[nn.Module, ...]:
        """The patch embedding, blocks and output norm of stage ``index``."""
        return (getattr(self, f'patch_embed{index + 1}'),
                getattr(self, f'blocks{index + 1}'),
                getattr(self, f'norm{index + 1}'))

    def _freeze_stages(self):
        for i in range(self.frozen_stages + 1):
            for module in self.stage_modules(i):
                module.eval()
                for param in module.parameters():
                    param.requires_grad = False

    def train(self, mode: bool = True):
        if mode and self.deploy:
            raise RuntimeError(
                'MogaNet in deploy mode (deploy=True or switch_to_deploy()) '
                'is for inference only: its norms and scales are folded into '
                'the convs and cannot be trained; train the model with '
                'deploy=False')
        super().train(mode)
        self._freeze_stages()
        if mode and self.norm_eval:
            for module in self.modules():
                if isinstance(module, _BatchNorm):
                    module.eval()
        return self

    def _run_block(self, block: MogaBlock, x: torch.Tensor) -> torch.Tensor:
        if self.with_cp and self.training and torch.is_grad_enabled():
            return cp.checkpoint(
                block,
                x,
                use_reentrant=False,
                context_fn=lambda: (contextlib.nullcontext(),
                                    _frozen_batchnorm_statistics(block)))
        return block(x)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata,
                              strict, missing_keys, unexpected_keys,
                              error_msgs):
        # Either structure's weights load into the other without an error
        # when loading is not strict (as mmengine loads checkpoints) and
        # leave most of the model at random values, so this is refused here.
        keys = [key for key in state_dict if key.startswith(prefix)]
        folded = is_reparameterized_state_dict(keys)
        plain = any(key.endswith('.layer_scale_1') for key in keys)
        if self.deploy and plain and not folded:
            raise ConversionError(
                'these MogaNet weights are of the plain (training) structure '
                'and do not fit a deploy-mode MogaNet (deploy=True): load '
                'them into a model with deploy=False and call '
                'switch_to_deploy() (tools/test.py and tools/infer.py: '
                '--deploy), or convert the checkpoint with '
                'tools/reparameterize_model.py')
        if not self.deploy and folded and not plain:
            raise ConversionError(
                'these MogaNet weights were folded for deploy mode (by '
                'switch_to_deploy() or tools/reparameterize_model.py) and '
                'need a backbone built with deploy=True, e.g. '
                '--cfg-options model.backbone.deploy=True')
        super()._load_from_state_dict(state_dict, prefix, local_metadata,
                                      strict, missing_keys, unexpected_keys,
                                      error_msgs)

    def _runs_channels_last(self, x: torch.Tensor) -> bool:
        # PyTorch's CPU depth-wise convs (and their backward passes) are much
        # faster channels-last: deploy mode always runs so, and so does
        # training on the CPU (toy training steps on 2 cores: Mask R-CNN
        # 0.82 -> 0.76 s, UperNet 0.38 -> 0.29 s, top-down pose 0.67 ->
        # 0.54 s). Eval mode keeps NCHW, the benchmarks' official baseline.
        return self.deploy or _trains_on_cpu(self, x)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        channels_last = self._runs_channels_last(x)
        if channels_last:
            # Outputs are returned contiguous, as necks and heads expect.
            x = x.contiguous(memory_format=torch.channels_last)
        outs = []
        for i in range(self.num_stages):
            patch_embed, blocks, norm = self.stage_modules(i)
            x = patch_embed(x)
            for block in blocks:
                x = self._run_block(block, x)
            if isinstance(norm, nn.LayerNorm):  # channels-last LN
                x = norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
            else:
                x = norm(x)
            if i in self.out_indices:
                outs.append(x.contiguous() if channels_last else x)
        return tuple(outs)

    def get_layer_depth(self, param_name: str, prefix: str = ''):
        """Layer id of a parameter, for layer-wise learning-rate decay.

        The stem is layer 0, the blocks are layers ``1..sum(depths)`` in order
        (a stage's downsampling conv shares the id of its first block and its
        output norm that of its last block), and everything outside the
        backbone (names not starting with ``prefix``) is the last layer.

        Args:
            param_name (str): Parameter name, e.g.
                ``'backbone.blocks3.4.attn.gate.weight'``.
            prefix (str): Prefix of the backbone's parameters.
                Defaults to ''.

        Returns:
            Tuple[int, int]: The layer id and the number of layers.
        """
        num_layers = sum(self.depths) + 2
        if not param_name.startswith(prefix):
            return num_layers - 1, num_layers
        name = param_name[len(prefix):]
        match = re.match(r'(patch_embed|blocks|norm)(\d+)(?:\.(\d+))?', name)
        if match is None:
            return num_layers - 1, num_layers
        kind, stage = match.group(1), int(match.group(2)) - 1
        first_block_id = sum(self.depths[:stage]) + 1
        if kind == 'patch_embed':
            layer_id = 0 if stage == 0 else first_block_id
        elif kind == 'blocks':
            layer_id = first_block_id + int(match.group(3))
        else:
            layer_id = first_block_id + self.depths[stage] - 1
        return layer_id, num_layers
