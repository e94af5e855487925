"""The torch-only core (mmmoga.core): it imports and runs where no
OpenMMLab package can be imported, it is the one definition the registered
backbone is made of, its builders make what mmcv's make, its blocks work
alone, and the networks compile without graph breaks."""
import inspect
import os.path as osp
import runpy
import subprocess
import sys
import textwrap

import pytest
import torch
import torch.nn as nn

from helpers import REPO, SMALL_ARCH
from mmmoga import core
from mmmoga.models import MogaNet as RegisteredMogaNet
from test_moganet_reparameterization import ATOL, randomise

OPENMMLAB = ('mmengine', 'mmcv', 'mmdet', 'mmseg', 'mmpose', 'mmpretrain')
# Installed here, but not by `pip install mmmoga` (torch's own requirements
# are jinja2, sympy, networkx, filelock, fsspec, typing-extensions).
NOT_TORCH_ONLY = (*OPENMMLAB, 'rich', 'yaml', 'safetensors', 'cv2',
                  'matplotlib', 'mim')
TINY_ARCH = dict(embed_dims=[8, 16, 24, 32], depths=[1, 1, 1, 1],
                 ffn_ratios=[2, 2, 2, 2])


def run_blocked(code: str, blocked):
    """Runs ``code`` in a fresh interpreter in which importing any of
    ``blocked`` fails as if it were not installed."""
    prelude = ('import sys\n'
               f'for name in {tuple(blocked)!r}:\n'
               '    sys.modules[name] = None  # import raises ImportError\n')
    return subprocess.run(
        [sys.executable, '-c', prelude + textwrap.dedent(code)], cwd=REPO,
        capture_output=True, text=True, timeout=300)


def test_torch_only_import_builds_every_argument_and_runs():
    result = run_blocked(f'''
        import torch
        import mmmoga
        from mmmoga import MogaNet, MogaNetClassifier
        assert not mmmoga.WITH_OPENMMLAB and not mmmoga.WITH_TIMM
        assert MogaNet is mmmoga.core.MogaNet

        arch = {TINY_ARCH!r}
        x = torch.randn(2, 3, 64, 64)
        model = MogaNet(arch, out_indices=(1, -1), frozen_stages=0,
                        norm_eval=True, with_cp=True, drop_path_rate=0.2)
        model.train()
        outs = model(x)
        assert [tuple(o.shape) for o in outs] == [(2, 16, 8, 8),
                                                  (2, 32, 2, 2)]
        sum(o.sum() for o in outs).backward()
        assert model.patch_embed1.projection[0].weight.grad is None
        deployed = MogaNet(arch, deploy=True)
        assert deployed.deploy and deployed(x)[0].shape == (2, 8, 16, 16)
        for size in ('xtiny', 'tiny', 'small', 'base', 'large', 'xlarge'):
            with torch.device('meta'):
                MogaNet(size)
        logits = MogaNetClassifier(arch, num_classes=7).eval()(x)
        assert logits.shape == (2, 7)
        try:
            MogaNet(arch, conv_norm_cfg=dict(type='MyNorm'))
        except ValueError as error:
            print(error)
        try:
            mmmoga.get_model('moganet_s_in1k')
        except ImportError as error:
            print(error)
        import sys
        assert not [m for m in sys.modules
                    if m.split('.')[0] in {NOT_TORCH_ONLY!r} and
                    sys.modules[m] is not None]
    ''', NOT_TORCH_ONLY + ('timm', ))
    assert result.returncode == 0, result.stderr[-3000:]
    norm_error, get_model_error = result.stdout.splitlines()
    assert norm_error.startswith(
        "conv_norm_cfg={'type': 'MyNorm'}: type 'MyNorm' is not one that "
        'mmmoga builds with torch alone (BN, BN2d, SyncBN')
    assert 'mmcv' in norm_error and 'is not installed' in norm_error
    assert 'needs mmengine: pip install "mmmoga[cls]"' in get_model_error


def test_timm_without_openmmlab_gives_features():
    result = run_blocked('''
        import timm
        import torch
        import mmmoga
        assert mmmoga.WITH_TIMM and not mmmoga.WITH_OPENMMLAB
        model = timm.create_model('moganet_small', features_only=True)
        outs = model(torch.randn(1, 3, 64, 64))
        print([tuple(o.shape) for o in outs])
    ''', OPENMMLAB)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == (
        '[(1, 64, 16, 16), (1, 128, 8, 8), (1, 320, 4, 4), (1, 512, 2, 2)]')


def test_registered_backbone_is_the_core_with_init_cfg():
    """One definition: the OpenMMLab backbone adds ``init_cfg`` to the core
    class and nothing else; its signature lists every core argument."""
    assert issubclass(RegisteredMogaNet, core.MogaNet)
    core_arguments = inspect.signature(core.MogaNet).parameters
    registered = inspect.signature(RegisteredMogaNet).parameters
    assert list(registered) == [*core_arguments, 'init_cfg']
    for name, parameter in core_arguments.items():
        assert registered[name].default == parameter.default, name
    own = {name for name, value in vars(RegisteredMogaNet).items()
           if callable(value)}
    assert own == {'__init__'}
    torch.manual_seed(0)
    ours = RegisteredMogaNet(SMALL_ARCH, init_cfg=None)
    assert ours.init_cfg is None and not ours._is_init
    theirs = core.MogaNet(SMALL_ARCH)
    assert [(k, v.shape) for k, v in ours.state_dict().items()] == \
        [(k, v.shape) for k, v in theirs.state_dict().items()]


def test_core_initialises_as_the_registered_backbone_does():
    """The core draws its weights at construction as FanOutNormal does in
    ``init_weights()``; the registered class leaves it to init_weights, so
    seeded OpenMMLab runs draw what they drew before."""
    torch.manual_seed(3)
    registered = RegisteredMogaNet(SMALL_ARCH)
    registered.init_weights()
    torch.manual_seed(3)
    plain = core.MogaNet(SMALL_ARCH)
    for (name, a), b in zip(registered.state_dict().items(),
                            plain.state_dict().values()):
        torch.testing.assert_close(a, b, msg=name)


def test_norms_are_those_mmcv_builds():
    from mmcv.cnn import build_norm_layer
    for cfg in (dict(type='BN'), dict(type='BN', eps=1e-3, momentum=0.3),
                dict(type='SyncBN'), dict(type='GN', num_groups=4),
                dict(type='LN'), dict(type='IN'),
                dict(type='BN', requires_grad=False)):
        ours = core.build_norm(cfg, 16)
        theirs = build_norm_layer(cfg, 16)[1]
        # mmcv's SyncBN is mmengine's subclass of torch's, for parrots.
        assert isinstance(theirs, type(ours)), cfg
        assert repr(ours) == repr(theirs), cfg
        assert [(n, p.requires_grad) for n, p in ours.named_parameters()] \
            == [(n, p.requires_grad)
                for n, p in theirs.named_parameters()], cfg
    assert isinstance(core.build_norm(dict(type='LN2d'), 8), core.LayerNorm2d)


def test_activations_compute_what_mmcv_builds():
    from mmcv.cnn import build_activation_layer
    x = torch.randn(64)
    for cfg in (dict(type='GELU'), dict(type='GELU', approximate='tanh'),
                dict(type='SiLU'), dict(type='Swish'), dict(type='ReLU'),
                dict(type='LeakyReLU', negative_slope=0.2),
                dict(type='HSwish'), dict(type='Sigmoid')):
        torch.testing.assert_close(
            core.build_activation(cfg)(x), build_activation_layer(cfg)(x),
            msg=str(cfg))


def test_unknown_types_go_to_mmcv_and_bad_arguments_name_the_setting():
    from mmcv.cnn.bricks import Scale  # noqa: F401 (mmcv's registry)
    assert isinstance(core.build_activation(dict(type='Clamp', min=0.)),
                      nn.Module)
    with pytest.raises(ValueError, match=r"act_cfg=\{'type': 'GELU', "
                       r"'slope': 2\}: .*slope"):
        core.build_activation(dict(type='GELU', slope=2))
    with pytest.raises(ValueError, match='GroupNorm needs num_groups'):
        core.build_norm(dict(type='GN'), 8)
    with pytest.raises(TypeError, match='a dict with a "type" key'):
        core.build_norm('BN', 8)


def test_drop_path_draws_the_masks_mmcv_draws():
    from mmcv.cnn.bricks import DropPath as MmcvDropPath
    x = torch.randn(64, 3, 2, 2)
    ours, theirs = core.DropPath(0.3).train(), MmcvDropPath(0.3).train()
    torch.manual_seed(1)
    a = ours(x)
    torch.manual_seed(1)
    b = theirs(x)
    torch.testing.assert_close(a, b)
    assert 0 < (a == 0).all(dim=(1, 2, 3)).sum() < 64
    assert core.DropPath(0.3).eval()(x) is x


@pytest.mark.parametrize('block_type', [
    core.MogaBlock, core.MultiOrderGatedAggregation,
    core.ChannelAggregationFFN
])
def test_each_block_alone_keeps_the_shape_and_learns(block_type):
    torch.manual_seed(0)
    args = (24, 48) if block_type is core.ChannelAggregationFFN else (24, )
    block = block_type(*args)
    x = torch.randn(2, 24, 9, 11, requires_grad=True)
    out = block(x)
    assert out.shape == x.shape
    out.square().mean().backward()
    assert all(p.grad is not None for p in block.parameters())


def test_a_block_folds_alone():
    torch.manual_seed(0)
    block = core.MogaBlock(24, ffn_ratio=2)
    holder = nn.Sequential(block)  # randomise walks a model's modules
    randomise(holder)
    x = torch.randn(2, 24, 9, 11)
    expected = block.eval()(x)
    block.switch_to_deploy('my_block')
    torch.testing.assert_close(block(x), expected, atol=ATOL, rtol=0)
    assert block.deploy and not hasattr(block, 'norm1')


def test_worked_example_trains_a_step(capsys):
    """docs/examples/moga_block_in_resnet.py, as the docs show it."""
    path = osp.join(REPO, 'docs', 'examples', 'moga_block_in_resnet.py')
    with open(path) as file:
        assert len(file.read().splitlines()) <= 25
    runpy.run_path(path, run_name='__main__')
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('one training step, loss ')
    assert lines[1] == 'torch.Size([1, 10])'


def explained(model, x):
    return torch._dynamo.explain(model)(x)


@pytest.mark.parametrize('mode', ['plain eval', 'plain train', 'deploy',
                                  'classifier'])
def test_compiles_without_graph_breaks(mode):
    torch._dynamo.reset()
    if mode == 'classifier':
        model = core.MogaNetClassifier(TINY_ARCH, num_classes=5).eval()
    else:
        model = core.MogaNet(TINY_ARCH, deploy=mode == 'deploy')
        model.train(mode == 'plain train')
    explanation = explained(model, torch.randn(2, 3, 64, 64))
    assert explanation.graph_break_count == 0, explanation.break_reasons
    assert explanation.graph_count == 1
