import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import MODELS


@MODELS.register_module('LN2d')
class LayerNorm2d(nn.Module):
    """LayerNorm over the channel axis of an ``(N, C, H, W)`` tensor.

    Registered as ``'LN2d'`` in the MMEngine root registry, so that
    ``norm_cfg=dict(type='LN2d')`` works from any OpenMMLab scope. Inside the
    ``mmpretrain`` scope its own ``LN2d`` (the same computation) takes
    precedence.

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
