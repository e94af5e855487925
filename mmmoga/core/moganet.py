"""The MogaNet backbone with torch alone.

:class:`MogaNet` returns the normed outputs of the stages it is asked for.
``mmmoga.models.MogaNet``, the backbone registered in OpenMMLab's registry,
is this class with an ``init_cfg``; ``mmmoga.core.MogaNetClassifier`` (and
the timm models) put a classifier on it.
"""
import contextlib
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.utils.checkpoint as cp
from torch.nn.modules.batchnorm import _BatchNorm

from mmmoga.errors import ConversionError

from .blocks import (
    ConvPatchEmbed,
    MogaBlock,
    StackConvPatchEmbed,
    frozen_batchnorm_statistics,
)
from .layers import build_norm, fan_out_normal_
from .reparameterized import is_reparameterized_state_dict

ConfigType = Dict


def _trains_on_cpu(module: nn.Module, x: torch.Tensor) -> bool:
    """Whether ``module`` trains on the CPU, where MogaNet runs channels-last
    (:meth:`MogaNet._runs_channels_last`). The blocks compute the official
    formulation in every mode and on every device."""
    return module.training and x.device.type == 'cpu'


class MogaNet(nn.Module):
    """MogaNet backbone.

    A PyTorch implementation of `Efficient Multi-order Gated Aggregation
    Network <https://arxiv.org/abs/2211.03295>`_ (ICLR 2024), needing torch
    only. Parameter names and shapes equal those of the official
    implementation, so its ImageNet checkpoints load with
    ``load_state_dict(..., strict=False)`` (only the classifier ``head.*`` is
    left over) and the backbones of its detection, segmentation and pose
    checkpoints once the ``backbone.`` prefix is taken off. Its weights are
    drawn at construction as the official code draws them
    (:meth:`reset_parameters`).

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
            :mod:`~mmmoga.core.reparameterized`). It
            loads only weights saved from a deployed model
            (``tools/reparameterize_model.py``), runs in eval mode only and
            needs BatchNorm as ``conv_norm_cfg``. Defaults to False.
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
    # The OpenMMLab backbone (mmmoga.models.MogaNet) leaves the weights to
    # mmengine's init_weights(), which applies its init_cfg.
    initializes_on_construction = True

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
                 deploy: bool = False):
        super().__init__()
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
            norm = build_norm(stem_norm_cfg, dims, 'stem_norm_cfg')
            self.add_module(f'patch_embed{i + 1}', patch_embed)
            self.add_module(f'blocks{i + 1}', blocks)
            self.add_module(f'norm{i + 1}', norm)

        self._freeze_stages()
        self.deploy = False
        if self.initializes_on_construction:
            self.reset_parameters()
        if deploy:
            # Built plain and folded, so that both structures come from one
            # definition; the folded values are replaced by loaded weights.
            self.switch_to_deploy()

    def reset_parameters(self):
        """Draws the weights as the official implementation does: convs from
        N(0, 2 / fan_out) (:func:`~mmmoga.core.layers.fan_out_normal_`) with
        zero biases; norms at weight 1 and bias 0; layer and ``sigma``
        scales at their initial values are left as built."""
        for module in self.modules():
            fan_out_normal_(module)
            if isinstance(module, (_BatchNorm, nn.GroupNorm, nn.LayerNorm)) \
                    and module.weight is not None:
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

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
                                    frozen_batchnorm_statistics(block)))
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

    def stage_outputs(self, x: torch.Tensor,
                      num_stages: Optional[int] = None):
        """Runs the first ``num_stages`` stages (default: all) and yields
        ``(index, normed output)`` of each; an output may be channels-last
        (``.contiguous()`` gives the ``(N, C, H, W)`` layout necks and heads
        expect, at no cost when it is in that layout already)."""
        channels_last = self._runs_channels_last(x)
        if channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        for i in range(self.num_stages if num_stages is None else num_stages):
            patch_embed, blocks, norm = self.stage_modules(i)
            x = patch_embed(x)
            for block in blocks:
                x = self._run_block(block, x)
            if isinstance(norm, nn.LayerNorm):  # channels-last LN
                x = norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
            else:
                x = norm(x)
            yield i, x

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        # Every stage runs, selected or not, as it always has (stochastic
        # depth draws random numbers in each).
        return tuple(out.contiguous() for i, out in self.stage_outputs(x)
                     if i in self.out_indices)

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
