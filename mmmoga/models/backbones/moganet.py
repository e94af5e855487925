"""The MogaNet backbone in OpenMMLab's registry: the torch-only
:class:`mmmoga.core.MogaNet` with mmengine's ``init_cfg``."""
import copy
from typing import Dict, List, Optional, Sequence, Union

from mmengine.model import BaseModule
from mmengine.registry import MODELS

from mmmoga.core import MogaNet as CoreMogaNet

ConfigType = Dict


@MODELS.register_module()
class MogaNet(CoreMogaNet, BaseModule):
    """MogaNet backbone, ``type='MogaNet'`` in any OpenMMLab config.

    The network is :class:`mmmoga.core.MogaNet` (every argument but
    ``init_cfg`` is documented there); this class adds what mmengine's
    models expect: the weights are drawn by :meth:`init_weights` from
    ``init_cfg``, e.g. ``dict(type='Pretrained', checkpoint=PATH,
    prefix='backbone.')`` to load them.

    Args:
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to ``dict(type='FanOutNormal', layer='Conv2d')``, the
            random initialisation of the official code (see
            :class:`~mmmoga.models.layers.FanOutNormalInit`).
    """
    initializes_on_construction = False

    # The core's arguments are written out again, not taken as **kwargs, so
    # that the config checks and help() see each one (tests/test_core.py
    # checks that they equal the core's, defaults included).
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
        # The core's super().__init__() reaches BaseModule.__init__ (next in
        # the method resolution order), which sets no init_cfg; it is set
        # here, as BaseModule.__init__ would.
        super().__init__(
            arch=arch,
            in_channels=in_channels,
            out_indices=out_indices,
            frozen_stages=frozen_stages,
            norm_eval=norm_eval,
            with_cp=with_cp,
            drop_rate=drop_rate,
            drop_path_rate=drop_path_rate,
            init_value=init_value,
            patch_sizes=patch_sizes,
            stem_norm_cfg=stem_norm_cfg,
            conv_norm_cfg=conv_norm_cfg,
            act_cfg=act_cfg,
            attn_dw_dilation=attn_dw_dilation,
            attn_channel_split=attn_channel_split,
            attn_act_cfg=attn_act_cfg,
            attn_final_dilation=attn_final_dilation,
            attn_force_fp32=attn_force_fp32,
            deploy=deploy)
        self.init_cfg = copy.deepcopy(init_cfg)
