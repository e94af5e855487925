"""Official ImageNet checkpoints, converted, reproduce the official outputs
in MMPretrain's ImageClassifier and as a pretrained backbone."""
import argparse
from collections import OrderedDict

import pytest
import torch

from helpers import backbone_state_dict
from mmmoga.checkpoint import load_local_checkpoint
from mmmoga.checkpoint.official import (
    imagenet_to_backbone,
    imagenet_to_classifier,
    official_weights,
)
from mmmoga.errors import CheckpointLayoutError

ATOL = 1e-4


def official_checkpoint(case, ema_offset=None):
    """What the official (timm) trainer saves: weights saved from DDP
    (``module.`` prefix), optimizer state and the run's arguments, and, if
    ``ema_offset`` is given, EMA weights that differ from the plain ones by
    it."""
    state_dict = OrderedDict(
        ('module.' + k, v) for k, v in case['state_dict'].items())
    checkpoint = dict(
        epoch=299,
        arch='moganet_custom',
        state_dict=state_dict,
        optimizer=dict(state={}, param_groups=[dict(lr=1e-6)]),
        args=argparse.Namespace(model='moganet_custom', lr=1e-3))
    if ema_offset is not None:
        checkpoint['state_dict_ema'] = OrderedDict(
            (k, v + ema_offset if v.is_floating_point() else v)
            for k, v in case['state_dict'].items())
    return checkpoint


def build_classifier(case):
    from mmpretrain.registry import MODELS
    from mmpretrain.utils import register_all_modules
    register_all_modules(init_default_scope=True)
    return MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(
                type='MogaNet',
                arch=dict(case['arch']),
                out_indices=(3, ),
                attn_force_fp32=case['attn_force_fp32']),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(
                type='LinearClsHead',
                num_classes=case['num_classes'],
                in_channels=case['arch']['embed_dims'][-1]))).eval()


@pytest.mark.parametrize('case_index', [0, 1])
def test_converted_classifier_gives_the_official_logits(golden, case_index,
                                                         tmp_path):
    case = golden['cases'][case_index]
    path = tmp_path / 'official.pth.tar'
    torch.save(official_checkpoint(case), path)
    # Safe loading: the trainer's Namespace is allow-listed, nothing else.
    weights = official_weights(load_local_checkpoint(str(path)))
    classifier = build_classifier(case)
    classifier.load_state_dict(imagenet_to_classifier(weights), strict=True)
    with torch.no_grad():
        logits = classifier(case['input'], mode='tensor')
    torch.testing.assert_close(logits, case['logits'], atol=ATOL, rtol=0)


def test_backbone_checkpoint_loads_through_init_cfg(golden, tmp_path):
    from mmmoga.models import MogaNet
    case = golden['cases'][0]
    path = tmp_path / 'backbone.pth'
    torch.save(dict(state_dict=imagenet_to_backbone(case['state_dict'])),
               path)
    model = MogaNet(
        arch=dict(case['arch']),
        init_cfg=dict(type='Pretrained', checkpoint=str(path),
                      prefix='backbone.'))
    model.init_weights()
    model.eval()
    with torch.no_grad():
        outs = model(case['input'])
    for out, expected in zip(outs, case['stage_outputs']):
        torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)
    assert set(imagenet_to_backbone(case['state_dict'])) == {
        'backbone.' + k for k in backbone_state_dict(case['state_dict'])}


def test_plain_or_ema_weights(golden):
    case = golden['cases'][0]
    checkpoint = official_checkpoint(case, ema_offset=1.)
    plain = official_weights(checkpoint, 'plain')
    ema = official_weights(checkpoint, 'ema')
    key = 'blocks1.0.attn.gate.weight'
    torch.testing.assert_close(plain[key], case['state_dict'][key])
    torch.testing.assert_close(ema[key], case['state_dict'][key] + 1)
    assert list(plain) == list(case['state_dict'])  # `module.` removed
    with pytest.raises(CheckpointLayoutError, match='holds no ema weights'):
        official_weights(official_checkpoint(case), 'ema')
    with pytest.raises(CheckpointLayoutError, match='bare state dict'):
        official_weights(case['state_dict'], 'ema')


def test_keys_of_the_classifier(golden):
    converted = imagenet_to_classifier(golden['cases'][0]['state_dict'])
    assert 'head.fc.weight' in converted and 'head.fc.bias' in converted
    assert 'backbone.patch_embed1.projection.0.weight' in converted
    assert all(k.startswith(('backbone.', 'head.fc.')) for k in converted)


def test_wrong_layouts_are_named(golden):
    converted = imagenet_to_classifier(golden['cases'][0]['state_dict'])
    with pytest.raises(CheckpointLayoutError,
                       match="x.pth is not an official.*'backbone."):
        imagenet_to_classifier(converted, source='x.pth')
    headless = backbone_state_dict(golden['cases'][0]['state_dict'])
    with pytest.raises(CheckpointLayoutError, match='has no classifier'):
        imagenet_to_classifier(headless)
    with pytest.raises(CheckpointLayoutError, match='no patch_embed1'):
        imagenet_to_backbone({'conv.weight': torch.zeros(1)})
