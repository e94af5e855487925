"""Deploy mode: the folded inference structure against the plain model."""
import copy

import pytest
import torch
import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm

from helpers import SMALL_ARCH, backbone_state_dict
from mmmoga.core.reparameterized import (
    SpaceToBatchDepthwiseConv2d,
)
from mmmoga.errors import ConversionError
from mmmoga.models import MogaNet, reparameterize_model

ATOL = 1e-4


def randomise(model, generator_seed=0):
    """Trained-looking values for everything deploy mode folds: BN
    statistics and affines, layer scales and both ``sigma`` scales (at
    initialisation the scales are 1e-5 and the statistics 0 and 1, which
    would let a wrong fold pass)."""
    generator = torch.Generator().manual_seed(generator_seed)

    def uniform_(tensor, low, high):
        tensor.copy_(torch.rand(tensor.shape, generator=generator) *
                     (high - low) + low)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                uniform_(module.running_mean, -0.5, 0.5)
                uniform_(module.running_var, 0.5, 2.0)
                uniform_(module.weight, 0.5, 1.5)
                uniform_(module.bias, -0.3, 0.3)
        for name, param in model.named_parameters():
            if name.endswith(('layer_scale_1', 'layer_scale_2')):
                uniform_(param, -0.3, 0.3)
            elif name.endswith('sigma.scale'):
                uniform_(param, -0.5, 0.5)
    return model


def plain_and_deployed(seed=0, **kwargs):
    torch.manual_seed(seed)
    plain = randomise(MogaNet(**kwargs), seed).eval()
    deployed = copy.deepcopy(plain)
    deployed.switch_to_deploy()
    return plain, deployed


def assert_same_outputs(plain, deployed, image):
    with torch.no_grad():
        expected, outputs = plain(image), deployed(image)
    assert len(outputs) == len(expected)
    for stage, (out, exp) in enumerate(zip(outputs, expected)):
        assert out.shape == exp.shape
        assert out.is_contiguous()
        torch.testing.assert_close(out, exp, atol=ATOL, rtol=0,
                                   msg=lambda m: f'output {stage}: {m}')


@pytest.mark.slow
@pytest.mark.parametrize('arch,size', [
    ('xtiny', (61, 47)), ('tiny', (33, 70)), ('small', (64, 64)),
    ('base', (45, 29)), ('large', (37, 41)), ('xlarge', (31, 53))])
def test_every_arch_equals_plain(arch, size):
    plain, deployed = plain_and_deployed(arch=arch)
    image = torch.rand(2, 3, *size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = plain(image)
    # The randomised scales make the check meaningful: outputs are O(1).
    assert max(out.abs().max().item() for out in expected) > 0.5
    assert_same_outputs(plain, deployed, image)


@pytest.mark.parametrize('case_index', [0, 1])
def test_golden_weights(golden, case_index):
    """Both official cases, attn_force_fp32 off and on: the deployed model
    reproduces the official stage outputs."""
    case = golden['cases'][case_index]
    model = MogaNet(arch=dict(case['arch']),
                    attn_force_fp32=case['attn_force_fp32'])
    model.load_state_dict(backbone_state_dict(case['state_dict']), strict=True)
    model.eval().switch_to_deploy()
    with torch.no_grad():
        outputs = model(case['input'])
    for out, expected in zip(outputs, case['stage_outputs']):
        torch.testing.assert_close(out, expected, atol=ATOL, rtol=0)


def small_pair(**kwargs):
    return plain_and_deployed(arch=copy.deepcopy(SMALL_ARCH), **kwargs)


@pytest.mark.parametrize('size', [(1, 1), (2, 5), (7, 3), (13, 29), (40, 24)])
def test_odd_sizes(size):
    assert_same_outputs(*small_pair(), torch.rand(1, 3, *size))


@pytest.mark.parametrize('kwargs', [
    dict(out_indices=(1, )), dict(out_indices=(0, 3)),
    dict(out_indices=(-1, ), attn_final_dilation=False),
    dict(attn_dw_dilation=(3, 3, 3), attn_channel_split=(2, 3, 3)),
    dict(stem_norm_cfg=dict(type='LN2d'), in_channels=1),
    dict(act_cfg=dict(type='SiLU'), attn_act_cfg=dict(type='GELU')),
])
def test_arguments_are_kept(kwargs):
    plain, deployed = small_pair(**kwargs)
    assert_same_outputs(plain, deployed,
                        torch.rand(2, kwargs.get('in_channels', 3), 35, 41))


def test_force_fp32_under_autocast():
    """In deploy mode the gating product and proj_2 still run in float32
    under autocast, with the double activation of the plain model."""
    plain, deployed = small_pair(attn_force_fp32=True)
    dtypes = []
    deployed.blocks2[0].attn.proj_2.register_forward_hook(
        lambda m, i, out: dtypes.append(out.dtype))
    image = torch.rand(1, 3, 32, 32)
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        deployed(image)
    assert dtypes == [torch.float32]
    assert_same_outputs(plain, deployed, image)
    # Without the second activation the outputs move: the fold keeps it.
    for module in deployed.modules():
        if hasattr(module, 'attn_force_fp32'):
            module.attn_force_fp32 = False
    with torch.no_grad():
        moved = max((a - b).abs().max().item()
                    for a, b in zip(plain(image), deployed(image)))
    assert moved > 10 * ATOL


def test_structure_is_folded():
    _, deployed = small_pair()
    names = dict(deployed.named_modules())
    assert not any(isinstance(m, _BatchNorm) for n, m in names.items()
                   if not n.startswith('norm'))
    assert not any('layer_scale' in n or 'sigma' in n
                   for n, _ in deployed.named_parameters())
    block = deployed.blocks1[0]
    assert isinstance(block.attn.value.DW_conv2, SpaceToBatchDepthwiseConv2d)
    assert not isinstance(block.attn.value.DW_conv1,
                          SpaceToBatchDepthwiseConv2d)
    assert deployed.blocks1[0].attn.proj_1.weight.is_contiguous(
        memory_format=torch.channels_last)
    assert not deployed.training


def test_switch_to_deploy_is_idempotent():
    plain, deployed = small_pair()
    state = {k: v.clone() for k, v in deployed.state_dict().items()}
    deployed.switch_to_deploy()
    again = deployed.state_dict()
    assert state.keys() == again.keys()
    for key in state:
        torch.testing.assert_close(again[key], state[key], atol=0, rtol=0)
    assert_same_outputs(plain, deployed, torch.rand(1, 3, 32, 32))


def test_state_dict_round_trip_and_layout_errors():
    plain, deployed = small_pair()
    rebuilt = MogaNet(arch=copy.deepcopy(SMALL_ARCH), deploy=True)
    assert rebuilt.state_dict().keys() == deployed.state_dict().keys()
    rebuilt.load_state_dict(deployed.state_dict(), strict=True)
    assert_same_outputs(plain, rebuilt, torch.rand(2, 3, 29, 37))
    # Non-strict loading (as mmengine loads checkpoints) of the wrong
    # structure would leave most tensors random: it is refused either way.
    with pytest.raises(ConversionError, match='plain .* structure'):
        rebuilt.load_state_dict(plain.state_dict(), strict=False)
    with pytest.raises(ConversionError, match='deploy=True'):
        MogaNet(arch=copy.deepcopy(SMALL_ARCH)).load_state_dict(
            deployed.state_dict(), strict=False)


def test_training_is_refused():
    _, deployed = small_pair()
    with pytest.raises(RuntimeError, match='deploy mode .* inference only'):
        deployed.train()
    wrapper = nn.Sequential(deployed)  # as inside a detector
    with pytest.raises(RuntimeError, match='deploy=False'):
        wrapper.train()
    deployed.eval()  # eval stays allowed


def test_unfoldable_norm_is_refused_before_anything_changes():
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH),
                    conv_norm_cfg=dict(type='LN2d')).eval()
    keys = model.state_dict().keys()
    with pytest.raises(ValueError, match='conv_norm_cfg.*LayerNorm2d'):
        model.switch_to_deploy()
    assert model.state_dict().keys() == keys and not model.deploy
    with pytest.raises(ValueError, match='conv_norm_cfg'):
        MogaNet(arch=copy.deepcopy(SMALL_ARCH),
                conv_norm_cfg=dict(type='GN', num_groups=4), deploy=True)


@pytest.mark.parametrize('kernel,dilation,size', [(7, 3, (56, 56)),
                                                  (7, 3, (10, 8)),
                                                  (5, 3, (2, 1)),
                                                  (7, 3, (1, 1)),
                                                  (5, 2, (9, 13))])
def test_space_to_batch_conv_equals_direct(kernel, dilation, size):
    torch.manual_seed(0)
    conv = nn.Conv2d(6, 6, kernel, padding=dilation * (kernel - 1) // 2,
                     dilation=dilation, groups=6)
    fast = SpaceToBatchDepthwiseConv2d.from_conv(conv)
    assert fast.weight is conv.weight
    for memory_format in (torch.contiguous_format, torch.channels_last):
        image = torch.randn(3, 6, *size).contiguous(
            memory_format=memory_format)
        torch.testing.assert_close(fast(image), conv(image), atol=1e-5,
                                   rtol=0)
    with pytest.raises(ValueError, match='not a same-size depth-wise'):
        SpaceToBatchDepthwiseConv2d.from_conv(nn.Conv2d(6, 6, 3, padding=2))


def test_reparameterize_model_on_a_whole_model():
    plain, _ = small_pair()
    model = nn.ModuleDict(dict(backbone=plain, head=nn.Linear(64, 2))).eval()
    assert reparameterize_model(model) == ['backbone']
    assert model.backbone.deploy
    with pytest.raises(ValueError, match='has no MogaNet'):
        reparameterize_model(nn.Linear(2, 2))
