"""MogaNet with torch alone: the backbone, the classifier, the blocks and
their inference fold. Nothing here imports an OpenMMLab package;
``mmmoga.models`` registers these classes in OpenMMLab's registries where
mmengine is installed."""
from .blocks import (
    ChannelAggregationFFN,
    ConvPatchEmbed,
    ElementScale,
    MogaBlock,
    MultiOrderDWConv,
    MultiOrderGatedAggregation,
    StackConvPatchEmbed,
)
from .classifier import MogaNetClassifier
from .layers import (
    DropPath,
    LayerNorm2d,
    build_activation,
    build_norm,
    fan_out_normal_,
)
from .moganet import MogaNet
from .reparameterized import (
    FusedChannelAggregationFFN,
    FusedGatedAggregation,
    is_reparameterized_state_dict,
)

__all__ = [
    'MogaNet', 'MogaNetClassifier', 'MogaBlock', 'MultiOrderGatedAggregation',
    'MultiOrderDWConv', 'ChannelAggregationFFN', 'ElementScale',
    'ConvPatchEmbed', 'StackConvPatchEmbed', 'LayerNorm2d', 'DropPath',
    'build_norm', 'build_activation', 'fan_out_normal_',
    'FusedGatedAggregation', 'FusedChannelAggregationFFN',
    'is_reparameterized_state_dict'
]
