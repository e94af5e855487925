"""Behaviour of every MogaNet constructor argument."""
import copy
import math

import pytest
import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

from helpers import SMALL_ARCH
from mmmoga.core import DropPath
from mmmoga.core import moganet as core_moganet
from mmmoga.models import LayerNorm2d, MogaNet


def small(**kwargs):
    torch.manual_seed(0)
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH), **kwargs)
    model.init_weights()
    return model


def expected_sizes(height, width):
    """Each stride-2 conv (k=3, p=1) maps n to ceil(n / 2); the stem has
    two."""
    sizes = []
    for num_convs in (2, 1, 1, 1):
        for _ in range(num_convs):
            height, width = math.ceil(height / 2), math.ceil(width / 2)
        sizes.append((height, width))
    return sizes


@pytest.fixture(scope='module')
def model():
    return small()


@pytest.mark.parametrize('size', [(224, 224), (97, 131), (32, 32), (1, 1)])
def test_output_shapes(model, size):
    model.eval()
    with torch.no_grad():
        outs = model(torch.randn(1, 3, *size))
    assert [tuple(o.shape) for o in outs] == [
        (1, c, h, w)
        for c, (h, w) in zip(SMALL_ARCH['embed_dims'], expected_sizes(*size))
    ]


@pytest.mark.parametrize('out_indices,stages', [((1, 3), [1, 3]), (2, [2]),
                                                (-1, [3]), ((3, 0), [0, 3]),
                                                ([-4, -2], [0, 2])])
def test_out_indices(out_indices, stages):
    model = small(out_indices=out_indices).eval()
    full = small().eval()
    x = torch.randn(2, 3, 64, 48)
    with torch.no_grad():
        outs, all_outs = model(x), full(x)
    assert len(outs) == len(stages)
    for out, stage in zip(outs, stages):
        torch.testing.assert_close(out, all_outs[stage])


@pytest.mark.parametrize('frozen_stages', [-1, 0, 1, 3])
def test_frozen_stages(frozen_stages):
    model = small(frozen_stages=frozen_stages)
    model.train()
    for stage in range(4):
        frozen = stage <= frozen_stages
        for module in model.stage_modules(stage):
            assert all(p.requires_grad != frozen
                       for p in module.parameters()), f'stage {stage}'
            assert all(m.training != frozen
                       for m in module.modules()), f'stage {stage}'
    # Gradients reach exactly the stages that are not frozen.
    loss = sum(o.sum() for o in model(torch.randn(2, 3, 32, 32)))
    if frozen_stages == 3:
        assert not loss.requires_grad
        return
    loss.backward()
    for stage in range(4):
        grads = [p.grad for m in model.stage_modules(stage)
                 for p in m.parameters()]
        if stage <= frozen_stages:
            assert all(g is None for g in grads)
        else:
            assert all(g is not None for g in grads)


def test_frozen_stage_statistics_do_not_move():
    model = small(frozen_stages=1).train()
    before = copy.deepcopy(model.state_dict())
    model(torch.randn(2, 3, 32, 32))
    after = model.state_dict()
    for key in before:
        moved = not torch.equal(before[key], after[key])
        frozen = key.split('.')[0][-1] in '12'
        if key.endswith('running_mean'):
            assert moved != frozen, key


def test_norm_eval():
    model = small(norm_eval=True)
    model.train()
    bns = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert bns and not any(m.training for m in bns)
    # Other modules still train (e.g. dropout would be active).
    assert model.training and model.blocks1[0].attn.training
    before = copy.deepcopy(model.state_dict())
    model(torch.randn(2, 3, 32, 32))
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key


@pytest.mark.parametrize('drop_path_rate', [0., 0.3])
def test_with_cp_equals_plain(drop_path_rate):
    plain = small(drop_path_rate=drop_path_rate).train()
    checkpointed = small(drop_path_rate=drop_path_rate, with_cp=True).train()
    checkpointed.load_state_dict(plain.state_dict())
    x = torch.randn(2, 3, 48, 40)
    results = []
    for model in (plain, checkpointed):
        torch.manual_seed(1)
        outs = model(x)
        sum((o * torch.arange(o.numel()).view_as(o).sin()).sum()
            for o in outs).backward()
        results.append((outs, {n: p.grad for n, p in model.named_parameters()},
                        model.state_dict()))
    (outs_a, grads_a, state_a), (outs_b, grads_b, state_b) = results
    for a, b in zip(outs_a, outs_b):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-5)
    for name in grads_a:
        torch.testing.assert_close(grads_a[name], grads_b[name], atol=1e-5,
                                   rtol=1e-4, msg=lambda m: f'{name}: {m}')
    # Recomputing a block must not fold the batch into BN statistics twice.
    for key in state_a:
        torch.testing.assert_close(state_a[key], state_b[key],
                                   msg=lambda m: f'{key}: {m}')


def test_cpu_training_runs_channels_last_with_the_official_results(
        monkeypatch):
    """CPU training runs channels-last; outputs and gradients are those of
    the NCHW computation, which eval mode keeps. The blocks compute the
    official formulation either way."""
    # float64, so that the two layouts agree to rounding at large gradients.
    model = small(drop_path_rate=0.).double().train()
    # Scales of order 1, so that every term weighs in the comparison.
    torch.manual_seed(2)
    for name, param in model.named_parameters():
        if name.endswith(('sigma.scale', 'layer_scale_1', 'layer_scale_2')):
            param.data.uniform_(-1, 1)
    block = model.blocks1[0]
    layouts, sigma_calls = [], []
    block.register_forward_hook(
        lambda module, inputs, output: layouts.append(
            inputs[0].is_contiguous(memory_format=torch.channels_last)))
    for sigma in (block.attn.sigma, block.mlp.sigma):
        sigma.register_forward_hook(lambda *_: sigma_calls.append(1))
    x = torch.randn(2, 3, 45, 38, dtype=torch.float64)
    results = []
    for channels_last in (True, False):
        if not channels_last:
            monkeypatch.setattr(core_moganet, '_trains_on_cpu',
                                lambda *_: False)
        model.zero_grad()
        outs = model(x)
        assert all(o.is_contiguous() for o in outs)
        sum((o * torch.arange(o.numel()).view_as(o).sin()).sum()
            for o in outs).backward()
        results.append(
            (outs, {n: p.grad.clone() for n, p in model.named_parameters()}))
    assert layouts == [True, False]
    assert len(sigma_calls) == 4  # the official ElementScale modules ran
    (outs_a, grads_a), (outs_b, grads_b) = results
    for a, b in zip(outs_a, outs_b):
        torch.testing.assert_close(a, b, atol=1e-10, rtol=1e-10)
    for name in grads_a:
        torch.testing.assert_close(grads_a[name], grads_b[name], atol=1e-9,
                                   rtol=1e-9, msg=lambda m: f'{name}: {m}')
    # In eval mode the plain model keeps the NCHW layout (the benchmarks'
    # baseline).
    monkeypatch.undo()
    layouts.clear()
    with torch.no_grad():
        model.eval()(x)
    assert layouts == [False]


def test_with_cp_really_recomputes():
    model = small(with_cp=True).train()
    calls = []
    model.blocks2[0].attn.register_forward_hook(lambda *_: calls.append(1))
    sum(o.sum() for o in model(torch.randn(2, 3, 32, 32))).backward()
    assert len(calls) == 2  # forward, and again during backward
    calls.clear()
    model.eval()
    with torch.no_grad():
        model(torch.randn(1, 3, 32, 32))
    assert len(calls) == 1


def test_drop_path_schedule():
    model = small(drop_path_rate=0.35)
    blocks = [b for i in range(4) for b in model.stage_modules(i)[1]]
    expected = torch.linspace(0, 0.35, len(blocks)).tolist()
    assert isinstance(blocks[0].drop_path, nn.Identity)  # rate 0 at the start
    for block, rate in zip(blocks[1:], expected[1:]):
        assert isinstance(block.drop_path, DropPath)
        assert block.drop_path.drop_prob == pytest.approx(rate)
    assert not any(
        isinstance(m, DropPath) for m in small(drop_path_rate=0).modules())


def test_drop_rate_and_init_value():
    model = small(drop_rate=0.25, init_value=0.5)
    dropouts = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    assert dropouts and all(m.p == 0.25 for m in dropouts)
    assert torch.all(model.blocks3[1].layer_scale_2 == 0.5)


def test_activation_configs():
    model = small(act_cfg=dict(type='ReLU'), attn_act_cfg=dict(type='Sigmoid'))
    block = model.blocks1[0]
    assert isinstance(block.mlp.act, nn.ReLU)
    assert isinstance(block.mlp.decompose_act, nn.ReLU)
    assert isinstance(model.patch_embed1.projection[2], nn.ReLU)
    assert isinstance(block.attn.act_gate, nn.Sigmoid)
    assert isinstance(block.attn.act_value, nn.Sigmoid)


def test_attn_dilation_split_and_final_dilation():
    model = small(attn_dw_dilation=(1, 3, 2), attn_channel_split=(2, 3, 3),
                  attn_final_dilation=False)
    value = model.blocks1[0].attn.value
    assert (value.DW_conv0.dilation, value.DW_conv1.dilation,
            value.DW_conv2.dilation) == ((1, 1), (3, 3), (2, 2))
    # 16 channels split 2:3:3 -> 4, 6, 6.
    assert (value.embed_dims_0, value.embed_dims_1,
            value.embed_dims_2) == (4, 6, 6)
    last = model.blocks4[0].attn.value
    assert (last.DW_conv0.dilation, last.DW_conv1.dilation,
            last.DW_conv2.dilation) == ((1, 1), (2, 2), (1, 1))
    with torch.no_grad():
        outs = model.eval()(torch.randn(1, 3, 64, 64))
    assert outs[-1].shape == (1, 64, 2, 2)


def test_patch_sizes_and_in_channels():
    model = small(patch_sizes=(3, 7, 3, 3), in_channels=1).eval()
    assert model.patch_embed2.projection.kernel_size == (7, 7)
    assert model.patch_embed2.projection.stride == (4, 4)
    assert model.patch_embed1.projection[0].in_channels == 1
    with torch.no_grad():
        outs = model(torch.randn(1, 1, 64, 64))
    assert [o.shape[-1] for o in outs] == [16, 4, 2, 1]


@pytest.mark.slow
@pytest.mark.parametrize('conv_norm_cfg,layer_type', [
    (dict(type='BN'), nn.BatchNorm2d),
    (dict(type='BN', eps=1e-3, momentum=0.03), nn.BatchNorm2d),
    (dict(type='SyncBN'), nn.SyncBatchNorm),
    (dict(type='GN', num_groups=8), nn.GroupNorm),
    (dict(type='LN2d'), LayerNorm2d),
])
def test_conv_norm_types(conv_norm_cfg, layer_type):
    model = small(conv_norm_cfg=conv_norm_cfg)
    for module in (model.patch_embed1.projection[1], model.patch_embed3.norm,
                   model.blocks2[1].norm1, model.blocks4[0].norm2):
        assert isinstance(module, layer_type)
    if 'eps' in conv_norm_cfg:
        assert model.blocks2[1].norm1.eps == conv_norm_cfg['eps']
    # SyncBN only trains in a process group; it runs like BN in eval mode.
    model.train(conv_norm_cfg['type'] != 'SyncBN')
    outs = model(torch.randn(2, 3, 32, 32))
    sum(o.sum() for o in outs).backward()
    assert model.blocks1[0].attn.proj_1.weight.grad is not None


@pytest.mark.parametrize('stem_norm_cfg,layer_type', [
    (dict(type='LN', eps=1e-6), nn.LayerNorm),
    (dict(type='LN2d'), LayerNorm2d),
    (dict(type='GN', num_groups=4), nn.GroupNorm),
])
def test_stage_output_norm_types(stem_norm_cfg, layer_type):
    model = small(stem_norm_cfg=stem_norm_cfg).eval()
    assert type(model.norm2) is layer_type
    x = torch.randn(1, 3, 32, 48)
    with torch.no_grad():
        outs = model(x)
    # Every stage output is normalised over channels at each position.
    if layer_type is not nn.GroupNorm:
        mean = outs[1].mean(dim=1)
        assert mean.abs().max() < 1e-4


def test_layer_norm_2d_matches_channels_last_layer_norm():
    norm = LayerNorm2d(8, eps=1e-6)
    nn.init.normal_(norm.weight)
    nn.init.normal_(norm.bias)
    x = torch.randn(2, 8, 5, 7)
    expected = nn.functional.layer_norm(
        x.permute(0, 2, 3, 1), (8, ), norm.weight, norm.bias,
        1e-6).permute(0, 3, 1, 2)
    torch.testing.assert_close(norm(x), expected)
    with pytest.raises(ValueError, match=r'LayerNorm2d\(8\)'):
        norm(torch.randn(2, 4, 5, 7))


def test_default_init_follows_official_scheme():
    model = small()
    conv = model.blocks3[0].mlp.fc1  # 1x1, 48 -> 192
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / 192),
                                                     rel=0.1)
    dw = model.blocks3[0].mlp.dwconv  # depth-wise 3x3: fan_out = 9
    assert dw.weight.std().item() == pytest.approx(math.sqrt(2 / 9), rel=0.1)
    assert torch.all(conv.bias == 0)
    assert torch.all(model.blocks3[0].layer_scale_1 == 1e-5)
    assert torch.all(model.blocks3[0].attn.sigma.scale == 1e-5)


def test_get_layer_depth():
    model = small()  # depths 2, 2, 2, 2 -> blocks are layers 1..8
    num_layers = 10
    cases = {
        'backbone.patch_embed1.projection.0.weight': 0,
        'backbone.blocks1.0.attn.gate.weight': 1,
        'backbone.blocks1.1.layer_scale_1': 2,
        'backbone.norm1.weight': 2,
        'backbone.patch_embed2.projection.weight': 3,
        'backbone.blocks2.0.norm1.bias': 3,
        'backbone.blocks3.1.mlp.fc2.weight': 6,
        'backbone.norm4.bias': 8,
        'head.fc.weight': 9,
        'neck.lateral_convs.0.conv.weight': 9,
    }
    for name, layer_id in cases.items():
        assert model.get_layer_depth(name, 'backbone.') == (layer_id,
                                                            num_layers), name
    assert model.get_layer_depth('blocks4.1.attn.proj_2.bias') == (8, 10)
    # Every parameter gets an id inside the backbone's range.
    ids = {model.get_layer_depth(n)[0] for n, _ in model.named_parameters()}
    assert ids == set(range(9))


@pytest.mark.parametrize('force_fp32,dtype', [(True, torch.float32),
                                              (False, torch.bfloat16)])
def test_attn_force_fp32_under_cpu_autocast(force_fp32, dtype):
    model = small(attn_force_fp32=force_fp32).eval()
    dtypes = []
    model.blocks2[0].attn.proj_2.register_forward_hook(
        lambda m, i, out: dtypes.append(out.dtype))
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        model(torch.randn(1, 3, 32, 32))
    assert dtypes == [dtype]


@pytest.mark.parametrize('kwargs,error,match', [
    (dict(arch='huge'), ValueError, r"Unknown MogaNet arch 'huge'"),
    (dict(arch=dict(embed_dims=[8], depths=[1])), ValueError,
     r"missing \['ffn_ratios'\]"),
    (dict(arch=dict(embed_dims=[8], depths=[1], ffn_ratios=[4], heads=[1])),
     ValueError, r"unknown \['heads'\]"),
    (dict(arch=dict(embed_dims=[8, 16], depths=[1], ffn_ratios=[4, 4])),
     ValueError, 'one entry per stage'),
    (dict(arch=dict(embed_dims=[8, 16], depths=[1, 0], ffn_ratios=[4, 4])),
     ValueError, r"arch\['depths'\] must be positive"),
    (dict(arch=['s']), TypeError, 'arch must be a name or a dict'),
    (dict(arch='s', drop_path_ratio=0.1), TypeError, 'drop_path_ratio'),
    (dict(arch='s', out_indices=(0, 4)), ValueError, 'out_indices entry 4'),
    (dict(arch='s', out_indices=(1, -3)), ValueError, 'repeats a stage'),
    (dict(arch='s', out_indices=()), TypeError, 'out_indices'),
    (dict(arch='s', frozen_stages=4), ValueError, 'frozen_stages'),
    (dict(arch='s', patch_sizes=(3, 3, 3)), ValueError, 'patch_sizes'),
    (dict(arch='s', patch_sizes=(7, 3, 3, 3)), ValueError, 'at most 3'),
    (dict(arch='s', drop_path_rate=1.0), ValueError, 'drop_path_rate'),
    (dict(arch='s', attn_channel_split=(1, 2, 4)), ValueError,
     'not divisible by sum'),
    (dict(arch='s', attn_dw_dilation=(1, 2, 4)), ValueError,
     'attn_dw_dilation'),
    (dict(arch='s', conv_norm_cfg=dict(type='LN')), ValueError,
     "conv_norm_cfg.*use dict\\(type='LN2d'\\)"),
    (dict(arch='s', conv_norm_cfg='BN'), TypeError, 'conv_norm_cfg'),
    (dict(arch='s', stem_norm_cfg=None), TypeError, 'stem_norm_cfg'),
])
def test_bad_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        MogaNet(**kwargs)
