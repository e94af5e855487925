"""Mixed precision without a GPU: ``--amp`` trains under bfloat16 autocast
on a CPU that computes in bfloat16 (``CpuAmpOptimWrapper``) and tests the
same way; where the CPU cannot, one error says so."""
import re
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from helpers import run_tool
from mmmoga.apis.run import testing, training
from mmmoga.engine import CpuAmpOptimWrapper, cpu_has_bfloat16
from mmmoga.errors import ConfigCheckError
from toy_tasks import TOY_TASKS, short_run_options


@pytest.fixture
def cpu_only(monkeypatch):
    """A machine without a GPU whose CPU computes in bfloat16 (torch runs
    bfloat16 autocast on any CPU, emulated where the CPU lacks it)."""
    monkeypatch.setattr(training, 'cpu_has_bfloat16', lambda: True)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)


def config(**optim_wrapper):
    return Config(dict(
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1),
                           **optim_wrapper),
        test_cfg=dict(type='TestLoop')))


class Detector(torch.nn.Module):
    """A backbone, a neck and a head, as the task libraries' models."""

    def __init__(self):
        super().__init__()
        self.backbone = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3))
        self.neck = torch.nn.Sequential(torch.nn.Conv2d(8, 8, 1))
        self.head = torch.nn.Linear(8, 2)

    def forward(self, x):
        features = self.neck(self.backbone(x))
        self.seen_by_head = features.dtype
        return self.head(features.mean(dim=(2, 3)))


def test_backbone_and_neck_train_in_bfloat16_with_float32_weights():
    torch.manual_seed(0)
    model = Detector()
    wrapper = build_optim_wrapper(model, dict(
        type='CpuAmpOptimWrapper', optimizer=dict(type='SGD', lr=0.1)))
    assert isinstance(wrapper, CpuAmpOptimWrapper)
    dtypes = []
    for conv in (model.backbone[0], model.neck[0]):
        conv.register_forward_hook(
            lambda module, inputs, output: dtypes.append(output.dtype))
    weight = model.backbone[0].weight
    before = weight.detach().clone()
    with wrapper.optim_context(model):
        loss = model(torch.randn(4, 3, 8, 8)).square().mean()
    wrapper.update_params(loss)
    # The head gets float32 features: the heads' CPU paths (mmcv's NMS,
    # numpy) take no bfloat16.
    assert dtypes == [torch.bfloat16, torch.bfloat16]
    assert model.seen_by_head == torch.float32
    assert weight.dtype == torch.float32
    assert not torch.equal(weight, before)
    # Outside the context the model is as it was.
    model(torch.randn(1, 3, 8, 8))
    assert dtypes[-2:] == [torch.float32, torch.float32]
    assert 'forward' not in vars(model.backbone)


def test_amp_on_a_cpu_chooses_bfloat16_for_training_and_testing(cpu_only):
    cfg = config()
    training.enable_amp(cfg)
    assert cfg.optim_wrapper.type == 'CpuAmpOptimWrapper'
    testing.enable_amp_test(cfg)
    assert cfg.custom_hooks == [dict(type='CpuAmpTestHook')]


def test_amp_without_bfloat16_is_one_error(monkeypatch):
    monkeypatch.setattr(training, 'cpu_has_bfloat16', lambda: False)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    for enable in (training.enable_amp, testing.enable_amp_test):
        with pytest.raises(ConfigCheckError, match=r'^--amp: there is no '
                           'GPU, and this CPU does not compute in bfloat16'):
            enable(config())


def test_amp_refuses_another_wrapper_and_exported_models(tmp_path):
    with pytest.raises(ConfigCheckError, match='needs optim_wrapper.type '
                       "OptimWrapper, the config has 'ApexOptimWrapper'"):
        training.enable_amp(config(type='ApexOptimWrapper'))
    with pytest.raises(ConfigCheckError, match='--amp applies to PyTorch '
                       'checkpoints'):
        testing.prepare_testing(config(), str(tmp_path / 'model.onnx'),
                                amp=True)


@pytest.mark.slow
def test_tools_train_and_test_with_amp(toy_data, tmp_path):
    """tools/train.py --amp trains the toy classifier in bfloat16 and
    tools/test.py --amp evaluates it within 2 points of float32, on a CPU
    with bfloat16; on one without, --amp is one line (this machine kind,
    an AMD EPYC with AVX-512 BF16, takes the first branch)."""
    task = TOY_TASKS['cls']
    data = toy_data('cls')
    work_dir = str(tmp_path / 'work')
    result = run_tool(sys.executable, 'tools/train.py', task.config,
                      '--amp', '--work-dir', work_dir,
                      *short_run_options('cls', data))
    if not cpu_has_bfloat16() and not torch.cuda.is_available():
        assert result.returncode == 1
        assert result.stderr.strip().startswith(
            'error: --amp: there is no GPU, and this CPU does not compute')
        return
    assert result.returncode == 0, result.stderr[-4000:]
    with open(f'{work_dir}/{task.config.split("/")[-1]}') as file:
        assert "type='CpuAmpOptimWrapper'" in file.read()
    top1 = {}
    for precision in ('float32', 'bfloat16'):
        result = run_tool(sys.executable, 'tools/test.py', task.config,
                          f'{work_dir}/epoch_1.pth', '--work-dir',
                          str(tmp_path / precision),
                          *(['--amp'] if precision == 'bfloat16' else []),
                          *short_run_options('cls', data))
        assert result.returncode == 0, result.stderr[-4000:]
        [top1[precision]] = map(float, re.findall(
            r'accuracy/top1: ([\d.]+)', result.stdout))
    assert abs(top1['bfloat16'] - top1['float32']) <= 2.0, top1
