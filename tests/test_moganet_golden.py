"""MogaNet against outputs and structure of the official implementation."""
import pytest
import torch
import torch.nn.functional as F

from helpers import backbone_state_dict
from mmmoga.models import MogaNet

ATOL = 1e-4


def build_case_model(case, **overrides):
    kwargs = dict(arch=dict(case['arch']),
                  attn_force_fp32=case['attn_force_fp32'])
    kwargs.update(overrides)
    model = MogaNet(**kwargs)
    model.load_state_dict(backbone_state_dict(case['state_dict']), strict=True)
    return model.eval()


def test_golden_has_both_fp32_modes(golden):
    assert sorted(c['attn_force_fp32']
                  for c in golden['cases']) == [False, True]


@pytest.mark.parametrize('case_index', [0, 1])
def test_stage_outputs_and_logits_match_official(golden, case_index):
    case = golden['cases'][case_index]
    assert not case['train_mode']
    model = build_case_model(case)
    with torch.no_grad():
        outs = model(case['input'])
    assert len(outs) == 4
    for stage, (out, expected) in enumerate(zip(outs, case['stage_outputs'])):
        assert out.shape == expected.shape, f'stage {stage}'
        torch.testing.assert_close(out, expected, atol=ATOL, rtol=0,
                                   msg=lambda m: f'stage {stage}: {m}')
    # The official classifier: global average pooling, then `head`.
    sd = case['state_dict']
    logits = F.linear(outs[-1].mean(dim=(2, 3)), sd['head.weight'],
                      sd['head.bias'])
    torch.testing.assert_close(logits, case['logits'], atol=ATOL, rtol=0)


def test_force_fp32_double_activation_is_what_the_golden_checks(golden):
    """The fp32 case is only reproduced with the official double activation:
    the same weights without it move the outputs far beyond the tolerance."""
    case = next(c for c in golden['cases'] if c['attn_force_fp32'])
    model = build_case_model(case, attn_force_fp32=False)
    with torch.no_grad():
        outs = model(case['input'])
    diff = max((o - e).abs().max().item()
               for o, e in zip(outs, case['stage_outputs']))
    assert diff > 100 * ATOL


@pytest.mark.parametrize(
    'arch', ['xtiny', 'tiny', 'small', 'base', 'large', 'xlarge'])
def test_structure_matches_official(golden, arch):
    reference = golden['structure'][arch]
    with torch.device('meta'):  # shapes only: no memory, no init cost
        model = MogaNet(arch)
    ours = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
    theirs = [(k, tuple(s)) for k, s in reference['keys']
              if not k.startswith('head.')]
    assert ours == theirs
    head_params = sum(
        torch.Size(s).numel() for k, s in reference['keys']
        if k.startswith('head.'))
    assert head_params == 1000 * model.embed_dims[-1] + 1000
    backbone_params = sum(p.numel() for p in model.parameters())
    assert backbone_params + head_params == reference['params']


@pytest.mark.parametrize('alias,name', [('xt', 'xtiny'), ('t', 'tiny'),
                                        ('s', 'small'), ('b', 'base'),
                                        ('l', 'large'), ('xl', 'xlarge'),
                                        ('SMALL', 'small')])
def test_arch_aliases(alias, name):
    assert MogaNet._parse_arch(alias) is MogaNet.arch_zoo[name]
