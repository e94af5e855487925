"""The layers MogaNet is built from, with torch alone: the norm and
activation settings (OpenMMLab's ``dict(type=...)`` form), a LayerNorm over
channels, stochastic depth and the official initialisation.

mmcv's ``build_norm_layer`` and ``build_activation_layer`` build the same
modules for the types listed here; the core builds them itself so that it
needs no OpenMMLab package. A type it does not know is handed to mmcv where
mmcv is installed (a norm registered by the user, for instance), and is one
clear error where it is not.
"""
import importlib.util
import math
from typing import Dict

import torch
import torch.nn as nn
import torch.nn.functional as F


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel axis of an ``(N, C, H, W)`` tensor.

    ``norm_cfg=dict(type='LN2d')``. Where mmengine is installed, ``import
    mmmoga`` registers it as ``'LN2d'`` in MMEngine's root registry; inside
    the ``mmpretrain`` scope, mmpretrain's own ``LN2d`` (the same
    computation) takes precedence there.

    Args:
        num_features (int): Number of channels ``C``.
        eps (float): Added to the variance for numerical stability.
            Defaults to 1e-6, as in MogaNet.
        affine (bool): Whether to learn a per-channel weight and bias.
            Defaults to True.
    """
    _abbr_ = 'ln'

    def __init__(self, num_features: int, eps: float = 1e-6,
                 affine: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.register_parameter('weight', None)
            self.register_parameter('bias', None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1] != self.num_features:
            raise ValueError(
                f'LayerNorm2d({self.num_features}) expects an (N, '
                f'{self.num_features}, H, W) tensor, got shape '
                f'{tuple(x.shape)}')
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, (self.num_features, ), self.weight, self.bias,
                         self.eps)
        return x.permute(0, 3, 1, 2)

    def extra_repr(self) -> str:
        return f'{self.num_features}, eps={self.eps}'


# Norm types by the names OpenMMLab configs use. Each takes the number of
# channels first, except GroupNorm (see build_norm).
NORM_TYPES = {
    'BN': nn.BatchNorm2d,
    'BN2d': nn.BatchNorm2d,
    'SyncBN': nn.SyncBatchNorm,
    'GN': nn.GroupNorm,
    'LN': nn.LayerNorm,
    'LN2d': LayerNorm2d,
    'IN': nn.InstanceNorm2d,
    'IN2d': nn.InstanceNorm2d,
}
ACTIVATION_TYPES = {
    'GELU': nn.GELU,
    'SiLU': nn.SiLU,
    'Swish': nn.SiLU,  # mmcv's Swish computes x * sigmoid(x), i.e. SiLU
    'ReLU': nn.ReLU,
    'ReLU6': nn.ReLU6,
    'LeakyReLU': nn.LeakyReLU,
    'PReLU': nn.PReLU,
    'ELU': nn.ELU,
    'Mish': nn.Mish,
    'HSwish': nn.Hardswish,
    'Sigmoid': nn.Sigmoid,
    'Tanh': nn.Tanh,
}


def _has_mmcv() -> bool:
    return importlib.util.find_spec('mmcv') is not None


def _settings(cfg, cfg_name: str) -> Dict:
    if not isinstance(cfg, dict) or 'type' not in cfg:
        raise TypeError(f'{cfg_name} must be a dict with a "type" key, '
                        f'got {cfg!r}')
    return cfg


def _unknown_type(cfg: Dict, cfg_name: str, known) -> ValueError:
    return ValueError(
        f'{cfg_name}={cfg!r}: type {cfg["type"]!r} is not one that mmmoga '
        f'builds with torch alone ({", ".join(known)}) and mmcv, which '
        'builds the types of the OpenMMLab registries, is not installed')


def _construct(layer_type, cfg: Dict, cfg_name: str, *args, **kwargs):
    try:
        return layer_type(*args, **kwargs)
    except TypeError as error:  # an argument the layer does not take
        raise ValueError(f'{cfg_name}={cfg!r}: {error}') from None


def build_norm(cfg: Dict, num_features: int,
               cfg_name: str = 'norm_cfg') -> nn.Module:
    """The norm layer ``cfg`` describes, for ``num_features`` channels.

    The other keys of ``cfg`` are the layer's arguments (``eps``,
    ``momentum``, GroupNorm's ``num_groups``), as in mmcv; ``requires_grad``
    (default True) freezes the affine parameters. ``cfg_name`` names the
    setting in errors.

    Raises:
        TypeError: ``cfg`` is no dict with a ``type``.
        ValueError: an unknown type without mmcv, or an argument the layer
            does not take.
    """
    given = _settings(cfg, cfg_name)
    cfg = dict(given)
    norm_type = cfg.pop('type')
    requires_grad = cfg.pop('requires_grad', True)
    layer_type = NORM_TYPES.get(norm_type) if isinstance(
        norm_type, str) else norm_type
    if layer_type is None:
        if not _has_mmcv():
            raise _unknown_type(given, cfg_name, NORM_TYPES)
        from mmcv.cnn import build_norm_layer
        return build_norm_layer(given, num_features)[1]
    if layer_type is nn.GroupNorm:
        if 'num_groups' not in cfg:
            raise ValueError(f'{cfg_name}={given!r}: GroupNorm needs '
                             'num_groups')
        norm = _construct(layer_type, given, cfg_name,
                          num_channels=num_features, **cfg)
    else:
        norm = _construct(layer_type, given, cfg_name, num_features, **cfg)
    for param in norm.parameters():
        param.requires_grad = requires_grad
    return norm


def build_activation(cfg: Dict, cfg_name: str = 'act_cfg') -> nn.Module:
    """The activation ``cfg`` describes; its other keys are the layer's
    arguments (``inplace``, ``negative_slope``, ...). Errors as
    :func:`build_norm`."""
    given = _settings(cfg, cfg_name)
    cfg = dict(given)
    act_type = cfg.pop('type')
    layer_type = ACTIVATION_TYPES.get(act_type) if isinstance(
        act_type, str) else act_type
    if layer_type is None:
        if not _has_mmcv():
            raise _unknown_type(given, cfg_name, ACTIVATION_TYPES)
        from mmcv.cnn import build_activation_layer
        return build_activation_layer(given)
    return _construct(layer_type, given, cfg_name, **cfg)


class DropPath(nn.Module):
    """Stochastic depth: in training, the residual branch of each sample is
    dropped with probability ``drop_prob`` and the kept ones are scaled by
    ``1 / (1 - drop_prob)``; in eval mode it is the identity.

    It draws one uniform number per sample, as mmcv's and timm's DropPath
    do, so seeded runs draw the same masks with either.
    """

    def __init__(self, drop_prob: float = 0.1):
        super().__init__()
        if not 0 <= drop_prob < 1:
            raise ValueError(f'drop_prob must be in [0, 1), got {drop_prob}')
        self.drop_prob = drop_prob

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.drop_prob == 0:
            return x
        shape = (x.shape[0], ) + (1, ) * (x.dim() - 1)
        kept = torch.rand(shape, dtype=x.dtype,
                          device=x.device) >= self.drop_prob
        return x / (1 - self.drop_prob) * kept

    def extra_repr(self) -> str:
        return f'drop_prob={self.drop_prob}'


def fan_out_normal_(module: nn.Module, bias: float = 0.) -> None:
    """Draws a conv's weights from N(0, 2 / fan_out), ``fan_out = kh * kw *
    out_channels / groups``, and fills its bias with ``bias``; does nothing
    to other modules.

    The initialisation of the official MogaNet (and timm's ConvNets). Unlike
    Kaiming's ``mode='fan_out'``, the fan-out of a grouped conv counts one
    group, so depth-wise kernels start with a sensible scale.
    """
    if not isinstance(module, nn.modules.conv._ConvNd):
        return
    kernel = math.prod(module.kernel_size)
    fan_out = kernel * module.out_channels // module.groups
    nn.init.normal_(module.weight, 0, math.sqrt(2. / fan_out))
    if module.bias is not None:
        nn.init.constant_(module.bias, bias)
