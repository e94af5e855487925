from .fan_out_init import FanOutNormalInit
from .layer_norm_2d import LayerNorm2d

__all__ = ['FanOutNormalInit', 'LayerNorm2d']
