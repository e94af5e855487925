"""Weights named by a URL (mmmoga.checkpoint.remote): fetched into the cache
mmengine reads before a run, and one line naming the file, where to put it
by hand and how to go on without it when the network is away (a closed
local port stands for it)."""
import os.path as osp
import socket
import sys

import pytest

from helpers import REPO, config_with, run_tool
from mmmoga.apis import prepare_training
from mmmoga.apis.run.training import RANDOM_INIT
from mmmoga.checkpoint import cached_weights_path, fetch_weights
from mmmoga.errors import CheckpointError
from toy_tasks import TOY_TASKS, short_run_options

TASK = 'cls'
PY = sys.executable


@pytest.fixture(scope='module')
def closed_url():
    """A URL on a local port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    return f'http://127.0.0.1:{port}/moganet_unreachable_in1k.pth'


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    return tmp_path


def test_an_unreachable_url_is_one_line_with_the_ways_on(closed_url,
                                                         torch_home):
    path = cached_weights_path(closed_url)
    assert path == str(torch_home / 'hub' / 'checkpoints' /
                       'moganet_unreachable_in1k.pth')
    with pytest.raises(CheckpointError) as error:
        fetch_weights(closed_url, 'model.backbone.init_cfg.checkpoint',
                      'add --no-pretrained')
    message = str(error.value)
    assert '\n' not in message
    assert message.startswith(
        f'model.backbone.init_cfg.checkpoint: cannot download {closed_url} (')
    assert message.endswith(
        f'download it by hand to {path}, or add --no-pretrained')
    assert not list((torch_home / 'hub' / 'checkpoints').iterdir())


def test_a_cached_file_needs_no_network(closed_url, torch_home):
    path = cached_weights_path(closed_url)
    (torch_home / 'hub' / 'checkpoints').mkdir(parents=True)
    with open(path, 'wb') as file:
        file.write(b'weights')
    assert fetch_weights(closed_url, 'load_from') == path


def toy_config(data_root):
    return config_with(TOY_TASKS[TASK].config, **{
        f'{split}_dataloader.dataset.data_root': data_root + '/'
        for split in ('train', 'val', 'test')})


def pretrained_toy_config(data_root, url):
    cfg = toy_config(data_root)
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=url)
    return cfg


def test_training_fetches_before_the_runner_and_says_how_to_go_on(
        toy_data, closed_url, torch_home):
    cfg = pretrained_toy_config(toy_data(TASK), closed_url)
    with pytest.raises(CheckpointError, match='random initialisation with '
                       '--no-pretrained$'):
        prepare_training(cfg)
    cfg = toy_config(toy_data(TASK))
    cfg.load_from = closed_url
    with pytest.raises(CheckpointError,
                       match='--cfg-options load_from=None$'):
        prepare_training(cfg)


def test_no_pretrained_starts_from_the_random_initialisation(
        toy_data, closed_url, torch_home, capsys):
    cfg = pretrained_toy_config(toy_data(TASK), closed_url)
    prepare_training(cfg, no_pretrained=True)
    assert cfg.model.backbone.init_cfg == RANDOM_INIT
    assert 'random initialisation (--no-pretrained) instead of ' \
        f'{closed_url}' in capsys.readouterr().out


@pytest.mark.slow
def test_the_train_tool_says_it_in_one_line(toy_data, closed_url, tmp_path):
    config = tmp_path / 'pretrained_toy.py'
    config.write_text(
        f"_base_ = '{osp.join(REPO, TOY_TASKS[TASK].config)}'\n"
        "model = dict(backbone=dict(init_cfg=dict(_delete_=True, "
        f"type='Pretrained', checkpoint='{closed_url}')))\n")
    result = run_tool(PY, 'tools/train.py', str(config), '--work-dir',
                      str(tmp_path / 'work_dir'),
                      *short_run_options(TASK, toy_data(TASK)),
                      env=dict(TORCH_HOME=str(tmp_path / 'torch')))
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith('error: model.backbone.init_cfg.checkpoint: '
                           f'cannot download {closed_url}'), last
    assert last.endswith('--no-pretrained'), last
