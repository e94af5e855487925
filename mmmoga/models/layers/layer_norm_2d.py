"""``'LN2d'`` in MMEngine's root registry: the core's LayerNorm2d, so that
``norm_cfg=dict(type='LN2d')`` works from any OpenMMLab scope. Inside the
``mmpretrain`` scope its own ``LN2d`` (the same computation) takes
precedence."""
from mmengine.registry import MODELS

from mmmoga.core import LayerNorm2d

MODELS.register_module('LN2d', module=LayerNorm2d)
