"""MogaNet in timm (mmmoga.timm_models): the official outputs, the
official checkpoints loaded unchanged, timm's conventions (features,
in_chans, heads, checkpointing, intermediates) and timm models as
backbones of OpenMMLab configs."""
import argparse

import pytest
import timm
import torch
import torch.nn.functional as F

from helpers import backbone_state_dict
from mmmoga.models import MogaNet
from mmmoga.timm_models import HUB_IDS, SIZES

ATOL = 1e-4
TINY_ARCH = dict(embed_dims=[8, 16, 24, 32], depths=[1, 1, 1, 1],
                 ffn_ratios=[2, 2, 2, 2])


def official_file(tmp_path, state_dict, name='official.pth.tar'):
    """A checkpoint as the official (timm) trainer saves it."""
    path = tmp_path / name
    torch.save(dict(epoch=299, arch='moganet', state_dict=state_dict,
                    args=argparse.Namespace(lr=1e-3)), path)
    return str(path)


def test_every_size_is_listed_with_its_release_tags():
    assert timm.list_models('moganet*') == sorted(f'moganet_{s}'
                                                  for s in SIZES)
    assert set(timm.list_pretrained('moganet*')) == {
        *(f'moganet_{s}.in1k' for s in SIZES), 'moganet_xtiny.in1k_256',
        'moganet_tiny.in1k_256'
    }
    cfg = timm.get_pretrained_cfg('moganet_tiny.in1k_256').to_dict()
    assert cfg['input_size'] == (3, 256, 256) and cfg['crop_pct'] == 0.9
    assert cfg['url'].endswith('/moganet_tiny_sz256_8xbs128_ep300.pth.tar')
    assert cfg['mean'] == timm.data.IMAGENET_DEFAULT_MEAN
    assert HUB_IDS['tiny'] in cfg['notes'][0]


def test_pretrained_cfgs_name_the_metafile_weights():
    """Each release tag's URL is the one the cls metafile names for the
    config of that size and resolution."""
    import yaml
    with open('configs/cls/metafile.yml') as file:
        weights = {m['Name']: m.get('Weights')
                   for m in yaml.safe_load(file)['Models']}
    short = dict(xtiny='xt', tiny='t', small='s', base='b', large='l',
                 xlarge='xl')
    for tag in timm.list_pretrained('moganet*'):
        architecture, release = tag.split('.')
        size = architecture[len('moganet_'):]
        suffix = '_256' if release.endswith('_256') else ''
        name = f'moganet_{short[size]}_in1k{suffix}'
        assert timm.get_pretrained_cfg(tag).url == weights[name], tag


@pytest.mark.parametrize('case_index', [0, 1])
def test_official_outputs_and_checkpoint_loaded_unchanged(
        golden, tmp_path, case_index):
    """An official checkpoint file (the trainer's dict, argparse.Namespace
    included) loads through timm's pretrained path, strictly, and gives the
    official stage outputs and logits."""
    case = golden['cases'][case_index]
    path = official_file(tmp_path, case['state_dict'])
    model = timm.create_model(
        'moganet_xtiny', pretrained=True, arch=case['arch'], num_classes=10,
        attn_force_fp32=case['attn_force_fp32'],
        pretrained_cfg_overlay=dict(file=path, num_classes=10)).eval()
    with torch.no_grad():
        logits = model(case['input'])
        final, stages = model.forward_intermediates(case['input'])
    torch.testing.assert_close(logits, case['logits'], atol=ATOL, rtol=0)
    for stage, expected in zip(stages, case['stage_outputs']):
        torch.testing.assert_close(stage, expected, atol=ATOL, rtol=0)
    torch.testing.assert_close(final, case['stage_outputs'][-1])


def test_timm_model_equals_the_openmmlab_backbone():
    """The same weights in timm's model and in our registered backbone give
    the same features, and the backbone's last stage plus a linear layer
    the same logits."""
    timm_model = timm.create_model('moganet_xtiny', num_classes=5).eval()
    backbone = MogaNet('xtiny').eval()
    backbone.load_state_dict(
        {k: v for k, v in timm_model.state_dict().items()
         if not k.startswith('head.')})
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        logits = timm_model(x)
        outs = backbone(x)
    expected = F.linear(outs[-1].mean(dim=(2, 3)), timm_model.head.weight,
                        timm_model.head.bias)
    torch.testing.assert_close(logits, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize('size', SIZES)
def test_every_size_has_the_official_keys_and_parameters(golden, size):
    reference = golden['structure'][size]
    with torch.device('meta'):
        model = timm.create_model(f'moganet_{size}')
    ours = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
    assert ours == [(k, tuple(s)) for k, s in reference['keys']]
    assert sum(p.numel() for p in model.parameters()) == reference['params']


@pytest.fixture(scope='module')
def xtiny_file(tmp_path_factory):
    """Official-format weights of MogaNet-XT with an ImageNet head."""
    torch.manual_seed(0)
    model = timm.create_model('moganet_xtiny')
    return official_file(tmp_path_factory.mktemp('xtiny'),
                         model.state_dict()), model.state_dict()


def test_in_chans_and_num_classes_adapt_pretrained_weights(xtiny_file):
    path, weights = xtiny_file
    model = timm.create_model('moganet_xtiny', pretrained=True, in_chans=1,
                              num_classes=10,
                              pretrained_cfg_overlay=dict(file=path))
    stem = model.patch_embed1.projection[0].weight
    torch.testing.assert_close(
        stem, weights['patch_embed1.projection.0.weight'].sum(
            dim=1, keepdim=True))
    torch.testing.assert_close(model.blocks3[4].attn.gate.weight,
                               weights['blocks3.4.attn.gate.weight'])
    assert model.head.weight.shape == (10, 192)
    assert model(torch.randn(2, 1, 64, 64)).shape == (2, 10)


@pytest.mark.parametrize('out_indices', [(0, 1, 2, 3), (1, 3)])
def test_features_only_channels_and_reductions(xtiny_file, out_indices):
    path, weights = xtiny_file
    model = timm.create_model('moganet_xtiny', features_only=True,
                              out_indices=out_indices, pretrained=True,
                              pretrained_cfg_overlay=dict(file=path)).eval()
    widths = [32, 64, 96, 192]
    assert model.feature_info.channels() == [widths[i] for i in out_indices]
    assert model.feature_info.reduction() == [4 * 2**i for i in out_indices]
    outs = model(torch.randn(1, 3, 96, 64))
    assert [tuple(o.shape) for o in outs] == [
        (1, widths[i], 24 // 2**i, 16 // 2**i) for i in out_indices
    ]
    if max(out_indices) < 3:  # the stages after the last one are pruned
        assert not hasattr(model.model, 'blocks4')
    backbone = MogaNet('xtiny', out_indices=out_indices).eval()
    backbone.load_state_dict(backbone_state_dict(weights))
    with torch.no_grad():
        for ours, theirs in zip(outs, backbone(torch.randn(1, 3, 96, 64))):
            assert ours.shape == theirs.shape


def test_heads_checkpointing_and_intermediates():
    torch.manual_seed(0)
    model = timm.create_model('moganet_xtiny', arch=TINY_ARCH,
                              num_classes=7, drop_rate=0.5)
    x = torch.randn(2, 3, 64, 64)
    model.eval()
    features = model.forward_features(x)
    assert features.shape == (2, 32, 2, 2)
    pooled = model.forward_head(features, pre_logits=True)
    torch.testing.assert_close(pooled, features.mean(dim=(2, 3)))
    assert model.get_classifier().out_features == 7
    model.reset_classifier(3)
    assert model(x).shape == (2, 3)
    model.reset_classifier(0, '')
    assert model(x).shape == (2, 32, 2, 2)
    with pytest.raises(ValueError, match="global_pool='' needs"):
        model.reset_classifier(3)

    last, stages = model.forward_intermediates(x, indices=2)
    assert [s.shape[1] for s in stages] == [24, 32]
    only = model.forward_intermediates(x, indices=[0, -1],
                                       intermediates_only=True)
    assert [s.shape[1] for s in only] == [8, 32]
    torch.testing.assert_close(only[-1], last)

    model.train()
    gradients = []
    for enable in (False, True):
        model.set_grad_checkpointing(enable)
        torch.manual_seed(1)
        model.zero_grad()
        model.forward_features(x).sum().backward()
        gradients.append(model.blocks2[0].attn.gate.weight.grad.clone())
    torch.testing.assert_close(gradients[1], gradients[0])
    assert model.with_cp
    matcher = model.group_matcher()
    assert matcher['stem'] == r'^patch_embed1'


# What docs/outside_openmmlab.md shows: a timm MogaNet as the backbone of
# an OpenMMLab config, beside type='MogaNet'.
TIMM_BACKBONE_CONFIG = """
_base_ = 'mmmoga::det/toy/retinanet_moga_xt_toy.py'
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.TIMMBackbone',
        model_name='moganet_xtiny',
        features_only=True,
        out_indices=(0, 1, 2, 3)),
    neck=dict(in_channels=[32, 64, 96, 192]))
"""


def test_detector_config_with_timm_backbone(tmp_path, restore_default_scope):
    """The config loads through the tools' checks and builds a detector
    whose backbone is timm's MogaNet, with the FPN fed its four stages."""
    from mmmoga.apis import load_config
    from mmmoga.core import MogaNetClassifier
    from mmmoga.engine import build_config_model
    path = tmp_path / 'retinanet_timm_moga_xt.py'
    path.write_text(TIMM_BACKBONE_CONFIG)
    detector = build_config_model(load_config(str(path))).eval()
    assert isinstance(detector.backbone.timm_model.model, MogaNetClassifier)
    with torch.no_grad():
        features = detector.extract_feat(torch.randn(1, 3, 64, 64))
    # RetinaNet's FPN starts at stride 8.
    assert [tuple(f.shape) for f in features][:2] == [(1, 96, 8, 8),
                                                     (1, 96, 4, 4)]
