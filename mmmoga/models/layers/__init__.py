from mmmoga.core import LayerNorm2d

from . import layer_norm_2d  # noqa: F401 (registers LN2d)
from .fan_out_init import FanOutNormalInit

__all__ = ['FanOutNormalInit', 'LayerNorm2d']
