"""MergedGroupsOptimWrapperConstructor: mmengine's default param groups,
merged by their settings, and the same training."""
import copy

import pytest
import torch
from mmengine.optim import build_optim_wrapper

from helpers import SMALL_ARCH, config_with, settings_of_each_parameter
from mmmoga.models import MogaNet


def optim_wrapper_cfg(constructor=None):
    cfg = dict(
        type='OptimWrapper',
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
        paramwise_cfg=dict(
            norm_decay_mult=0.,
            custom_keys={
                'layer_scale': dict(decay_mult=0.),
                'attn.sigma': dict(lr_mult=0.5, decay_mult=0.)
            }))
    if constructor:
        cfg['constructor'] = constructor
    return cfg


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    model = MogaNet(arch=dict(SMALL_ARCH), out_indices=(3, ))
    model.init_weights()
    return model


def test_same_settings_for_every_parameter_in_fewer_groups(model):
    default = build_optim_wrapper(model, optim_wrapper_cfg()).optimizer
    merged = build_optim_wrapper(
        model, optim_wrapper_cfg('MergedGroupsOptimWrapperConstructor')
    ).optimizer
    params = list(model.parameters())
    assert len(default.param_groups) == len(params)
    # Decayed; norms (no decay); layer scales (no decay, and the custom
    # key's decay_mult recorded in the group); attn.sigma (lr / 2 too).
    assert len(merged.param_groups) == 4
    assert sorted(id(p) for g in merged.param_groups
                  for p in g['params']) == sorted(id(p) for p in params)
    assert (settings_of_each_parameter(merged) ==
            settings_of_each_parameter(default))


@pytest.mark.slow
def test_training_steps_are_the_same(model):
    x = torch.randn(2, 3, 32, 32)
    results = []
    for constructor in (None, 'MergedGroupsOptimWrapperConstructor'):
        trained = copy.deepcopy(model).train()
        optim_wrapper = build_optim_wrapper(trained,
                                            optim_wrapper_cfg(constructor))
        for _ in range(3):
            optim_wrapper.update_params(trained(x)[0].square().mean())
        results.append(trained.state_dict())
    for key, value in results[0].items():
        torch.testing.assert_close(results[1][key], value, msg=key)


@pytest.mark.parametrize('config', [
    'configs/det/mask_rcnn_moga_s.py', 'configs/det/retinanet_moga_s.py',
    'configs/seg/upernet_moga_s.py', 'configs/cls/moganet_s_in1k.py'
])
def test_configs_with_a_paramwise_cfg_merge_their_groups(config):
    optim_wrapper = config_with(config).optim_wrapper
    assert 'paramwise_cfg' in optim_wrapper
    assert optim_wrapper.constructor == 'MergedGroupsOptimWrapperConstructor'
