"""Official MogaNet checkpoints, turned into checkpoints of our 2.0 models.

ImageNet: the official training (timm's trainer) saves the model's state
dict with the backbone's keys at the top level (``patch_embed1.*``,
``blocks1.0.*``, ``norm4.*``) and the classifier as ``head.weight`` /
``head.bias``, usually wrapped in a dict with ``state_dict`` and, when EMA
was used (MogaNet-S/B/L), ``state_dict_ema``, next to optimizer state and
the ``argparse.Namespace`` of the run. Weights saved from a DDP model carry a
``module.`` prefix. MMPretrain's ``ImageClassifier`` with a MogaNet backbone,
global average pooling and a ``LinearClsHead`` names the same tensors
``backbone.*`` and ``head.fc.*``.

Downstream: the official detection, segmentation and pose code ran on
MMDetection 2.x, MMSegmentation 0.x and MMPose 0.x, whose checkpoints
(mmcv 1.x: ``meta``, ``state_dict``, ``optimizer``) name the backbone as we
do; :data:`DOWNSTREAM_LAYOUTS` lists what the 2.0 libraries renamed.

:func:`convert_official_checkpoint` does either and checks the result
against the model it is meant for.
"""
import re
from collections import OrderedDict
from typing import Any, Dict, Mapping, NamedTuple, Tuple

import torch

from mmmoga.errors import CheckpointLayoutError

# Where the official trainer keeps the weights, by preference.
WEIGHT_KEYS = {'plain': ('state_dict', 'model'), 'ema': ('state_dict_ema', )}
OFFICIAL_HEAD = ('head.weight', 'head.bias')


def _is_state_dict(value) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(
        isinstance(k, str) and torch.is_tensor(v) for k, v in value.items())


def official_weights(checkpoint: Mapping, weights: str = 'plain',
                     source: str = 'the checkpoint'
                     ) -> Dict[str, torch.Tensor]:
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
            held = sorted(k for k in checkpoint
                          if _is_state_dict(checkpoint[k]))
            raise CheckpointLayoutError(
                f'{source} holds no {weights} weights (looked for '
                f'{list(WEIGHT_KEYS[weights])}; it has state dicts under '
                f'{held})')
        state_dict = checkpoint[found[0]]
    return _strip_module(state_dict)


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


def classifier_to_imagenet(state_dict: Mapping,
                           source: str = 'the checkpoint'
                           ) -> Dict[str, torch.Tensor]:
    """The inverse of :func:`imagenet_to_classifier`: MMPretrain's keys ->
    the official ones, which timm's MogaNet models and
    :class:`mmmoga.core.MogaNetClassifier` use."""
    other = sorted(k for k in state_dict
                   if not k.startswith(('backbone.', 'head.fc.')))
    if other:
        raise CheckpointLayoutError(
            f'{source} is not an image classifier with a MogaNet backbone '
            f'and a linear head: it has {other[:3]}')
    converted = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('head.fc.'):
            converted['head.' + key[len('head.fc.'):]] = value
        else:
            converted[key[len('backbone.'):]] = value
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


# --------------------------------------------------------------------------
# Downstream checkpoints of the official dense-prediction code
# --------------------------------------------------------------------------
class DownstreamLayout(NamedTuple):
    """How one OpenMMLab 1.x library named a MogaNet model's tensors."""
    library: str
    # Top-level module prefixes that identify the layout.
    markers: Tuple[str, ...]
    # (old prefix, new prefix): what the 2.0 library renamed.
    renames: Tuple[Tuple[str, str], ...]


# What changed between the versions the official code used and the 2.0
# libraries, for the models MogaNet was released with (docs/get_started.md,
# "Official checkpoints", lists the sources):
# - MMDetection 2.x -> 3.x: nothing. RetinaNet (retina_cls/reg), Mask R-CNN
#   and Cascade Mask R-CNN (rpn_head.rpn_conv/cls/reg, roi_head.bbox_head,
#   roi_head.mask_head, the 4conv1f head's shared_convs) and the FPN keep
#   their module names.
# - MMSegmentation 0.x -> 1.x: nothing. UPerHead, FCNHead and FPNHead keep
#   theirs.
# - MMPose 0.x -> 1.x: ``keypoint_head`` became ``head``; the deconv layers
#   keep their indices; 0.x put extra convs and the final conv together in
#   ``final_layer.N``, 1.x splits them into ``conv_layers.N`` and
#   ``final_layer`` (MMPose's own load hooks do the same, but only while
#   loading; converting writes a file that needs no hook).
DOWNSTREAM_LAYOUTS = {
    'mmdet2': DownstreamLayout('MMDetection 2.x',
                               ('rpn_head.', 'roi_head.', 'bbox_head.'), ()),
    'mmseg0': DownstreamLayout('MMSegmentation 0.x', ('decode_head.', ), ()),
    'mmpose0': DownstreamLayout('MMPose 0.x', ('keypoint_head.', ),
                                (('keypoint_head.', 'head.'), )),
}
IMAGENET = 'imagenet'
SOURCES = (IMAGENET, *DOWNSTREAM_LAYOUTS)
# Old dataset meta keys -> MMEngine's ``dataset_meta`` keys (what the 2.0
# inferencers read the class names and colours from).
DATASET_META_KEYS = {'CLASSES': 'classes', 'PALETTE': 'palette'}


def detect_source(state_dict: Mapping, source: str = 'the checkpoint') -> str:
    """Which official layout ``state_dict`` is in (one of :data:`SOURCES`)."""
    if any(k.startswith('patch_embed1.') for k in state_dict):
        return IMAGENET
    for name, layout in DOWNSTREAM_LAYOUTS.items():
        if any(k.startswith(layout.markers) for k in state_dict):
            return name
    raise CheckpointLayoutError(
        f'cannot tell which official layout {source} is in: it has neither '
        'top-level patch_embed1.* (ImageNet) nor the heads of MMDetection '
        '2.x, MMSegmentation 0.x or MMPose 0.x (first keys: '
        f'{list(state_dict)[:3]}); name it with --source')


def downstream_weights(checkpoint: Mapping,
                       source: str = 'the checkpoint'
                       ) -> Dict[str, torch.Tensor]:
    """The model's state dict inside a checkpoint saved by mmcv 1.x (under
    ``state_dict``, next to ``meta`` and ``optimizer``), ``module.``
    stripped."""
    if _is_state_dict(checkpoint):
        state_dict = checkpoint
    elif _is_state_dict(checkpoint.get('state_dict')):
        state_dict = checkpoint['state_dict']
    else:
        raise CheckpointLayoutError(
            f'{source} holds no state dict: neither a dict of tensors nor '
            f'one under "state_dict" (top-level keys: {sorted(checkpoint)})')
    return _strip_module(state_dict)


def _strip_module(state_dict: Mapping) -> Dict[str, torch.Tensor]:
    return OrderedDict((key[len('module.'):] if key.startswith('module.')
                        else key, value) for key, value in state_dict.items())


def _split_pose_final_layer(state_dict: Mapping) -> Dict[str, torch.Tensor]:
    """MMPose 0.x ``head.final_layer.N.*`` (extra convs, then the final
    conv) -> 1.x ``head.conv_layers.N.*`` and ``head.final_layer.*``."""
    pattern = re.compile(r'^head\.final_layer\.(\d+)\.(.+)$')
    indices = [int(m.group(1)) for m in map(pattern.match, state_dict) if m]
    if not indices:
        return OrderedDict(state_dict)
    last = max(indices)
    converted = OrderedDict()
    for key, value in state_dict.items():
        match = pattern.match(key)
        if match is None:
            converted[key] = value
        elif int(match.group(1)) == last:
            converted['head.final_layer.' + match.group(2)] = value
        else:
            converted['head.conv_layers.' + key[len('head.final_layer.'):]] \
                = value
    return converted


def downstream_to_model(state_dict: Mapping, source: str
                        ) -> Dict[str, torch.Tensor]:
    """An official downstream state dict (``source`` one of
    :data:`DOWNSTREAM_LAYOUTS`) under the 2.0 libraries' names."""
    layout = DOWNSTREAM_LAYOUTS[source]
    converted = OrderedDict()
    for key, value in state_dict.items():
        for old, new in layout.renames:
            if key.startswith(old):
                key = new + key[len(old):]
                break
        converted[key] = value
    if source == 'mmpose0':
        converted = _split_pose_final_layer(converted)
    return converted


def dataset_meta(checkpoint: Mapping) -> Dict:
    """The class names (and palette) an mmcv 1.x checkpoint's ``meta``
    holds, under MMEngine's ``dataset_meta`` names."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, Mapping) else None
    if not isinstance(meta, Mapping):
        return {}
    return {new: list(meta[old]) for old, new in DATASET_META_KEYS.items()
            if meta.get(old) is not None}


def only_backbone(state_dict: Mapping) -> Dict[str, torch.Tensor]:
    """The ``backbone.*`` tensors of a whole model's state dict."""
    return OrderedDict((k, v) for k, v in state_dict.items()
                       if k.startswith('backbone.'))


def check_against_model(state_dict: Mapping, expected: Mapping[str, Any],
                        target: str, listed: int = 8,
                        weights_name: str = 'the converted weights'):
    """Raises one :class:`CheckpointLayoutError` unless ``state_dict`` has
    exactly the keys of ``expected`` (a model's state dict), each with its
    shape. ``target`` names the model and ``weights_name`` the weights in
    the message."""
    missing = [k for k in expected if k not in state_dict]
    unexpected = [k for k in state_dict if k not in expected]
    wrong_shape = [
        f'{k} {tuple(state_dict[k].shape)} (model: {tuple(expected[k].shape)})'
        for k in expected
        if k in state_dict and state_dict[k].shape != expected[k].shape
    ]
    problems = []
    for what, keys in (('missing', missing),
                       ('left over (not in the model)', unexpected),
                       ('of another shape', wrong_shape)):
        if keys:
            shown = ', '.join(keys[:listed])
            more = f' and {len(keys) - listed} more' if len(keys) > listed \
                else ''
            problems.append(f'keys {what} ({len(keys)}): {shown}{more}')
    if problems:
        raise CheckpointLayoutError(
            f'{weights_name} do not fit {target}: ' +
            '; '.join(problems))


class Conversion(NamedTuple):
    """What :func:`convert_official_checkpoint` made."""
    state_dict: Dict[str, torch.Tensor]
    source: str          # one of SOURCES
    renamed: int         # keys whose name changed
    dropped: int         # official keys left out (heads, for a backbone)
    dataset_meta: Dict


SOURCE_NAMES = {IMAGENET: 'official ImageNet (timm trainer)',
                **{k: v.library for k, v in DOWNSTREAM_LAYOUTS.items()}}


def convert_official_checkpoint(checkpoint: Mapping, model: torch.nn.Module,
                                target: str, source: str = 'auto',
                                part: str = 'model', weights: str = 'plain',
                                name: str = 'the checkpoint') -> Conversion:
    """Converts an official MogaNet checkpoint for ``model`` and checks it.

    Args:
        checkpoint: What loading the official file returned.
        model: The 2.0 model the weights are for (built from its config).
        target: Names ``model`` (e.g. its config) in messages.
        source: One of :data:`SOURCES`, or ``'auto'`` to tell from the keys.
        part: ``'model'`` (the whole model: a classifier from an ImageNet
            checkpoint) or ``'backbone'`` (only ``backbone.*``, for
            ``init_cfg=dict(type='Pretrained', prefix='backbone.')``).
        weights: ``'plain'`` or ``'ema'`` (ImageNet checkpoints only).
        name: Names the checkpoint in messages.

    Raises:
        CheckpointLayoutError: The checkpoint is not in the layout asked for,
            or the converted weights miss keys of ``model``, have keys it
            lacks or tensors of other shapes (all listed in one message).
    """
    if part not in ('model', 'backbone'):
        raise ValueError(f"part must be 'model' or 'backbone', got {part!r}")
    if source == 'auto':
        source = detect_source(_any_state_dict(checkpoint, name), name)
    elif source not in SOURCES:
        raise CheckpointLayoutError(
            f'unknown source layout {source!r}; use one of {list(SOURCES)}')

    if source == IMAGENET:
        official = official_weights(checkpoint, weights, name)
        converted = imagenet_to_classifier(official, name) \
            if part == 'model' else imagenet_to_backbone(official, name)
        renamed = len(converted)  # every key gains a prefix
    else:
        if weights != 'plain':
            raise CheckpointLayoutError(
                f'{name} is an {SOURCE_NAMES[source]} checkpoint; EMA '
                'weights exist only in official ImageNet ones, use the '
                'plain weights')
        official = downstream_weights(checkpoint, name)
        converted = downstream_to_model(official, source)
        renamed = sum(old != new for old, new in zip(official, converted))
        if part == 'backbone':
            converted = only_backbone(converted)
    # Only a backbone conversion leaves keys out, on purpose: the heads.
    dropped = len(official) - len(converted)

    expected = model.state_dict()
    if part == 'backbone':
        expected = only_backbone(expected)
    check_against_model(converted, expected,
                        f'{target} ({SOURCE_NAMES[source]} -> {part})')
    if part == 'backbone':  # class names belong to a head
        meta = {}
    else:
        meta = dataset_meta(checkpoint) if source != IMAGENET else \
            _imagenet_meta(converted)
    return Conversion(converted, source, renamed, dropped, meta)


def _any_state_dict(checkpoint: Mapping, name: str) -> Mapping:
    """The first state dict in ``checkpoint``, to tell its layout by."""
    if _is_state_dict(checkpoint):
        return _strip_module(checkpoint)
    for key in ('state_dict', 'model', 'state_dict_ema'):
        if _is_state_dict(checkpoint.get(key)):
            return _strip_module(checkpoint[key])
    raise CheckpointLayoutError(
        f'{name} holds no state dict: neither a dict of tensors nor one under '
        f'state_dict / model / state_dict_ema (top-level keys: '
        f'{sorted(map(str, checkpoint))})')


def _imagenet_meta(converted: Mapping) -> Dict:
    """ImageNet-1k's class names for a 1000-way classifier, so inferencers
    print names (the official checkpoints store none)."""
    head = converted.get('head.fc.weight')
    if head is None or head.shape[0] != 1000:
        return {}
    from mmpretrain.datasets.categories import IMAGENET_CATEGORIES
    return {'classes': list(IMAGENET_CATEGORIES)}
