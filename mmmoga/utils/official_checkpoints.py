"""Official MogaNet ImageNet checkpoints, turned into MMPretrain ones.

The official ImageNet training (timm's trainer) saves the model's state dict
with the backbone's keys at the top level (``patch_embed1.*``,
``blocks1.0.*``, ``norm4.*``) and the classifier as ``head.weight`` /
``head.bias``, usually wrapped in a dict with ``state_dict`` and, when EMA
was used (MogaNet-S/B/L), ``state_dict_ema``, next to optimizer state and
the ``argparse.Namespace`` of the run. Weights saved from a DDP model carry a
``module.`` prefix.

MMPretrain's ``ImageClassifier`` with a MogaNet backbone, global average
pooling and a ``LinearClsHead`` names the same tensors ``backbone.*`` and
``head.fc.*``.
"""
from collections import OrderedDict
from typing import Dict, Mapping

import torch

from .config_checks import ConfigCheckError

# Where the official trainer keeps the weights, by preference.
WEIGHT_KEYS = {'plain': ('state_dict', 'model'), 'ema': ('state_dict_ema', )}
OFFICIAL_HEAD = ('head.weight', 'head.bias')


class CheckpointLayoutError(ConfigCheckError):
    """A checkpoint does not have the layout asked for."""


def _is_state_dict(value) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(
        isinstance(k, str) and torch.is_tensor(v) for k, v in value.items())


def official_weights(checkpoint: Mapping, weights: str = 'plain',
                     source: str = 'the checkpoint') -> Dict[str, torch.Tensor]:
    """The state dict inside an official ImageNet checkpoint.

    Args:
        checkpoint: What ``torch.load`` returned: a bare state dict or the
            trainer's dict holding one.
        weights: ``'plain'`` (the trained weights) or ``'ema'`` (their
            exponential moving average, where the run kept one).
        source: Names the checkpoint in errors.
    """
    if weights not in WEIGHT_KEYS:
        raise ValueError(f'weights must be one of {sorted(WEIGHT_KEYS)}, '
                         f'got {weights!r}')
    if _is_state_dict(checkpoint):
        if weights == 'ema':
            raise CheckpointLayoutError(
                f'{source} is a bare state dict without EMA weights; use the '
                'plain weights')
        state_dict = checkpoint
    else:
        found = [key for key in WEIGHT_KEYS[weights]
                 if _is_state_dict(checkpoint.get(key))]
        if not found:
            held = sorted(k for k in checkpoint if _is_state_dict(checkpoint[k]))
            raise CheckpointLayoutError(
                f'{source} holds no {weights} weights (looked for '
                f'{list(WEIGHT_KEYS[weights])}; it has state dicts under '
                f'{held})')
        state_dict = checkpoint[found[0]]
    return OrderedDict((key[len('module.'):] if key.startswith('module.')
                        else key, value) for key, value in state_dict.items())


def _check_official_layout(state_dict: Mapping, source: str):
    prefixed = sorted(k for k in state_dict
                      if k.startswith(('backbone.', 'head.fc.')))
    if prefixed:
        raise CheckpointLayoutError(
            f'{source} is not an official ImageNet checkpoint: it already '
            f'has MMPretrain keys such as {prefixed[0]!r}')
    if not any(k.startswith('patch_embed1.') for k in state_dict):
        raise CheckpointLayoutError(
            f'{source} is not an official MogaNet ImageNet checkpoint: no '
            f'patch_embed1.* keys (first keys: {list(state_dict)[:3]})')


def imagenet_to_classifier(state_dict: Mapping,
                           source: str = 'the checkpoint'
                           ) -> Dict[str, torch.Tensor]:
    """Official keys -> those of MMPretrain's ``ImageClassifier``: the
    backbone under ``backbone.``, the classifier as ``head.fc.*``."""
    _check_official_layout(state_dict, source)
    missing = [k for k in OFFICIAL_HEAD if k not in state_dict]
    if missing:
        raise CheckpointLayoutError(
            f'{source} has no classifier ({missing} missing); convert it to '
            'a backbone checkpoint instead')
    converted = OrderedDict()
    for key, value in state_dict.items():
        if key in OFFICIAL_HEAD:
            converted['head.fc.' + key[len('head.'):]] = value
        else:
            converted['backbone.' + key] = value
    return converted


def imagenet_to_backbone(state_dict: Mapping,
                         source: str = 'the checkpoint'
                         ) -> Dict[str, torch.Tensor]:
    """Official keys -> a backbone checkpoint for
    ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``:
    the backbone under ``backbone.``, no classifier."""
    _check_official_layout(state_dict, source)
    return OrderedDict(('backbone.' + key, value)
                       for key, value in state_dict.items()
                       if key not in OFFICIAL_HEAD)
