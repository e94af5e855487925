"""Weights that do not fit: refused where a result depends on them
(CheckpointFitHook, strict), one line where training fine-tunes from them
(load_from, a backbone's Pretrained init_cfg)."""
from types import SimpleNamespace

import pytest
import torch

from helpers import config_with
from mmmoga.apis.run.training import report_pretrained_fit
from mmmoga.engine import CheckpointFitHook
from mmmoga.errors import CheckpointLayoutError
from mmmoga.models import MogaNet

TOY_CLS = 'configs/cls/toy/moganet_xt_toy.py'


@pytest.fixture(scope='module')
def backbone_weights():
    """MogaNet-XT's weights without one tensor and with one extra."""
    state_dict = MogaNet(arch='xtiny').state_dict()
    del state_dict['norm4.weight']
    state_dict['extra.weight'] = torch.zeros(1)
    return state_dict


def test_pretrained_init_that_does_not_fit_is_one_line(backbone_weights,
                                                        tmp_path, capsys):
    path = str(tmp_path / 'backbone.pth')
    torch.save(dict(state_dict={f'backbone.{key}': value
                                for key, value in backbone_weights.items()}),
               path)
    cfg = config_with(TOY_CLS, **{
        'model.backbone.init_cfg': dict(type='Pretrained', checkpoint=path,
                                        prefix='backbone.')
    })
    report_pretrained_fit(cfg)
    (line, ) = capsys.readouterr().out.splitlines()
    assert line.startswith('warning: model.backbone.init_cfg: the weights of')
    assert 'missing (1): norm4.weight' in line
    assert 'left over (not in the model) (1): extra.weight' in line


def test_pretrained_init_that_fits_says_nothing(tmp_path, capsys):
    path = str(tmp_path / 'backbone.pth')
    torch.save(MogaNet(arch='xtiny').state_dict(), path)
    report_pretrained_fit(config_with(TOY_CLS, **{
        'model.backbone.init_cfg': dict(type='Pretrained', checkpoint=path)
    }))
    assert capsys.readouterr().out == ''


def stub_runner(model, load_from='weights.pth'):
    return SimpleNamespace(
        model=model,
        cfg=SimpleNamespace(get=lambda key: load_from, filename='cfg.py'))


def test_fit_hook_refuses_or_logs(backbone_weights):
    model = MogaNet(arch='xtiny')
    checkpoint = dict(state_dict=backbone_weights)
    with pytest.raises(CheckpointLayoutError,
                       match='missing .1.: norm4.weight.*--allow-partial'):
        CheckpointFitHook(strict=True).after_load_checkpoint(
            stub_runner(model), checkpoint)
    # Not strict: mmengine goes on to load what fits.
    CheckpointFitHook(strict=False).after_load_checkpoint(
        stub_runner(model), checkpoint)
    # A checkpoint that fits, saved from a wrapped model ('module.' keys).
    CheckpointFitHook(strict=True).after_load_checkpoint(
        stub_runner(model), dict(state_dict={
            f'module.{key}': value
            for key, value in model.state_dict().items()
        }))
