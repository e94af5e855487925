"""MogaNet as an image classifier, with torch alone: the official ImageNet
model (global average pooling of the last stage, then one linear layer),
with the methods timm's models have, so that the timm models of
:mod:`mmmoga.timm_models` are this class."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from .moganet import MogaNet

POOLINGS = ('avg', '')


class MogaNetClassifier(MogaNet):
    """MogaNet with a linear classifier, in the official key layout: the
    backbone's keys (``patch_embed1.*`` ... ``norm4.*``) and ``head.weight``
    / ``head.bias``, so official ImageNet checkpoints load unchanged.

    The argument names are timm's. ``forward`` gives logits;
    ``forward_features`` the last stage's normed map, ``forward_head`` the
    pooled features or logits, ``forward_intermediates`` the stage maps.

    Args:
        arch (str | dict): A MogaNet size or a custom arch dict (see
            :class:`~mmmoga.core.MogaNet`). Defaults to ``'tiny'``.
        num_classes (int): Classes of the linear head; 0 leaves the head
            out (``forward`` gives the pooled features). Defaults to 1000.
        in_chans (int): Channels of the input image. Defaults to 3.
        global_pool (str): ``'avg'`` (global average pooling) or ``''``
            (none: only with ``num_classes=0``). Defaults to ``'avg'``.
        drop_rate (float): Dropout before the head. Defaults to 0.
        proj_drop_rate (float): Dropout inside the blocks' FFNs (MogaNet's
            ``drop_rate``). Defaults to 0.
        drop_path_rate (float): Stochastic depth of the last block.
            Defaults to 0.
        attn_force_fp32 (bool): See :class:`~mmmoga.core.MogaNet`.
            Defaults to False.
        deploy (bool): Build the folded inference structure (see
            :class:`~mmmoga.core.MogaNet`). Defaults to False.
    """

    def __init__(self,
                 arch: Union[str, Dict] = 'tiny',
                 num_classes: int = 1000,
                 in_chans: int = 3,
                 global_pool: str = 'avg',
                 drop_rate: float = 0.,
                 proj_drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 attn_force_fp32: bool = False,
                 deploy: bool = False):
        super().__init__(
            arch,
            in_channels=in_chans,
            out_indices=-1,
            drop_rate=proj_drop_rate,
            drop_path_rate=drop_path_rate,
            attn_force_fp32=attn_force_fp32,
            deploy=deploy)
        self.in_chans = in_chans
        self.num_features = self.head_hidden_size = self.embed_dims[-1]
        self.drop_rate = drop_rate
        self.head_drop = nn.Dropout(drop_rate)
        self.feature_info = [
            dict(num_chs=dims, reduction=2**(i + 2), module=f'norm{i + 1}')
            for i, dims in enumerate(self.embed_dims)
        ]
        self.reset_classifier(num_classes, global_pool)

    def reset_classifier(self, num_classes: int,
                         global_pool: Optional[str] = None):
        """A new, freshly initialised head for ``num_classes`` (0: none)."""
        if global_pool is not None:
            if global_pool not in POOLINGS:
                raise ValueError(f'global_pool must be one of {POOLINGS}, '
                                 f'got {global_pool!r}')
            self.global_pool = global_pool
        if num_classes and not self.global_pool:
            raise ValueError('a head needs pooled features: '
                             f'global_pool={self.global_pool!r} needs '
                             'num_classes=0')
        self.num_classes = num_classes
        self.head = (nn.Linear(self.num_features, num_classes)
                     if num_classes else nn.Identity())
        if num_classes:
            nn.init.trunc_normal_(self.head.weight, std=.02)
            nn.init.zeros_(self.head.bias)

    def get_classifier(self) -> nn.Module:
        return self.head

    def set_grad_checkpointing(self, enable: bool = True):
        """Recomputes each block's activations in the backward pass
        (MogaNet's ``with_cp``)."""
        self.with_cp = enable

    def group_matcher(self, coarse: bool = False) -> Dict:
        """Parameter groups by depth, for timm's layer-wise learning-rate
        decay: the stem, then each block (a stage's downsampling conv with
        its first block, its output norm with its last)."""
        return dict(
            stem=r'^patch_embed1',
            blocks=r'^blocks(\d+)' if coarse else [
                (r'^blocks(\d+)\.(\d+)', None),
                (r'^patch_embed(\d+)', (0, )),
                (r'^norm(\d+)', (99999, )),
            ])

    def _stage_indices(self, indices) -> List[int]:
        """timm's meaning of ``indices``: None, all stages; an int n, the
        last n; a sequence, those stages (negative from the end)."""
        if indices is None:
            indices = self.num_stages
        if isinstance(indices, int):
            if not 0 < indices <= self.num_stages:
                raise ValueError(f'indices={indices}: MogaNet has '
                                 f'{self.num_stages} stages')
            return list(range(self.num_stages - indices, self.num_stages))
        return self._parse_out_indices(list(indices), self.num_stages)

    def forward_intermediates(
        self,
        x: torch.Tensor,
        indices: Optional[Union[int, Sequence[int]]] = None,
        norm: bool = False,
        stop_early: bool = False,
        output_fmt: str = 'NCHW',
        intermediates_only: bool = False,
    ) -> Union[List[torch.Tensor], Tuple[torch.Tensor, List[torch.Tensor]]]:
        """The maps of the stages ``indices`` selects (each after its
        stage's norm, so ``norm`` changes nothing), and unless
        ``intermediates_only`` the last stage's map as well. ``stop_early``
        skips the stages after the last selected one when only
        intermediates are asked for."""
        if output_fmt != 'NCHW':
            raise ValueError(f'output_fmt={output_fmt!r}: MogaNet gives '
                             "'NCHW' maps")
        selected = self._stage_indices(indices)
        stages = (max(selected) + 1 if stop_early or intermediates_only else
                  self.num_stages)
        intermediates = []
        for i, x in self.stage_outputs(x, stages):
            if i in selected:
                intermediates.append(x.contiguous())
        if intermediates_only:
            return intermediates
        return x.contiguous(), intermediates

    def prune_intermediate_layers(self,
                                  indices: Union[int, Sequence[int]] = 1,
                                  prune_norm: bool = False,
                                  prune_head: bool = True) -> List[int]:
        """Removes the stages after the last of ``indices`` (and the head
        when ``prune_head``); returns the stage indices."""
        selected = self._stage_indices(indices)
        keep = max(selected) + 1
        for i in range(keep, self.num_stages):
            for name in ('patch_embed', 'blocks', 'norm'):
                delattr(self, f'{name}{i + 1}')
        self.num_stages = keep
        self.embed_dims = self.embed_dims[:keep]
        self.depths = self.depths[:keep]
        self.out_indices = [keep - 1]
        if prune_head:
            self.num_features = self.head_hidden_size = self.embed_dims[-1]
            self.reset_classifier(0, '')
        return selected

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(x)[-1]

    def forward_head(self, x: torch.Tensor,
                     pre_logits: bool = False) -> torch.Tensor:
        if self.global_pool == 'avg':
            x = x.mean(dim=(2, 3))
        x = self.head_drop(x)
        return x if pre_logits else self.head(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))
