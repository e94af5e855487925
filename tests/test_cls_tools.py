"""The toy classification set and the shared tools serving classifiers: a
short toy run trains and evaluates top-1, tests with drawing, and infers."""
import glob
import json
import os.path as osp
import re
import sys
from functools import partial

import cv2
import pytest
import torch

from helpers import (
    build_from_config,
    run_tool,
    tool_error,
    train_step_and_predict,
)
from mmmoga.engine import build_config_model
from mmmoga.toy_data import CLS_CLASSES
from test_moganet_reparameterization import ATOL, randomise
from toy_tasks import TOY_TASKS, short_run_options

# Runs the tools end to end (training included).
pytestmark = pytest.mark.slow

# The module's toy task: its fixtures task_toy_data and task_trained_toy
# (conftest.py) and the --cfg-options of its short run.
TASK = 'cls'
toy_options = partial(short_run_options, TASK)
TOY_CONFIG = TOY_TASKS[TASK].config


def test_train_validates_top1(task_trained_toy):
    work_dir, log = task_trained_toy
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    assert 'accuracy/top1:' in log


def test_test_tool_draws_every_image(task_trained_toy, task_toy_data,
                                     tmp_path):
    work_dir, _ = task_trained_toy
    show_dir = str(tmp_path / 'drawn')
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                      str(tmp_path / 'test'), '--show-dir', show_dir,
                      *toy_options(task_toy_data))
    assert result.returncode == 0, result.stderr[-4000:]
    # Every val image, not every 5000th.
    assert len(glob.glob(osp.join(show_dir, '*.png'))) == 6


def test_infer_draws_and_writes_the_class(task_trained_toy, task_toy_data,
                                          tmp_path):
    work_dir, _ = task_trained_toy
    images = osp.join(task_toy_data, 'val')
    result = run_tool(sys.executable, 'tools/infer.py', images, '--config',
                      TOY_CONFIG, '--checkpoint',
                      osp.join(work_dir, 'epoch_1.pth'), '--out-dir',
                      str(tmp_path))
    assert result.returncode == 0, result.stderr[-4000:]
    for path in glob.glob(osp.join(images, '*', '*.jpg')):
        stem = osp.splitext(osp.basename(path))[0]
        assert cv2.imread(str(tmp_path / 'vis' / f'{stem}.png')) is not None
        with open(tmp_path / 'pred' / f'{stem}.json') as f:
            prediction = json.load(f)
        assert prediction['pred_class'] in CLS_CLASSES
        assert len(prediction['pred_scores']) == len(CLS_CLASSES)


def test_deploy_mode_in_test_and_infer(task_trained_toy, task_toy_data,
                                       tmp_path):
    """--deploy folds the loaded checkpoint: the same top-1 as validation in
    training, the same scores as the plain model."""
    work_dir, log = task_trained_toy
    checkpoint = osp.join(work_dir, 'epoch_1.pth')
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG, checkpoint,
                      '--deploy', '--work-dir', str(tmp_path / 'test'),
                      *toy_options(task_toy_data))
    assert result.returncode == 0, result.stderr[-4000:]
    assert 'MogaNet deploy mode: folded backbone' in result.stdout
    top1 = re.findall(r'accuracy/top1: ([\d.]+)', log)[-1]
    assert re.findall(r'accuracy/top1: ([\d.]+)', result.stdout) == [top1]

    image = glob.glob(osp.join(task_toy_data, 'val', '*', '*.jpg'))[0]
    scores = {}
    for mode in ('plain', 'deploy'):
        out_dir = tmp_path / mode
        result = run_tool(
            sys.executable, 'tools/infer.py', image, '--config', TOY_CONFIG,
            '--checkpoint', checkpoint, '--out-dir', str(out_dir),
            *(['--deploy'] if mode == 'deploy' else []))
        assert result.returncode == 0, result.stderr[-4000:]
        (pred, ) = glob.glob(str(out_dir / 'pred' / '*.json'))
        with open(pred) as f:
            scores[mode] = json.load(f)['pred_scores']
    torch.testing.assert_close(torch.tensor(scores['deploy']),
                               torch.tensor(scores['plain']), atol=ATOL,
                               rtol=0)


def test_published_hub_folder_evaluates_as_the_checkpoint(
        task_trained_toy, task_toy_data, tmp_path):
    """tools/publish_model.py --hf-dir writes the folder; tools/test.py
    evaluates its model.safetensors (timm's key layout) to the top-1 of the
    training run's validation."""
    work_dir, log = task_trained_toy
    folder = tmp_path / 'hub'
    result = run_tool(sys.executable, 'tools/publish_model.py',
                      osp.join(work_dir, 'epoch_1.pth'),
                      str(tmp_path / 'published.pth'), '--hf-dir',
                      str(folder), '--config', TOY_CONFIG)
    assert result.returncode == 0, result.stderr[-4000:]
    assert f'wrote {folder}/: README.md, config.json, model.safetensors ' \
        '(timm model moganet_xtiny)' in result.stdout
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      str(folder / 'model.safetensors'), '--work-dir',
                      str(tmp_path / 'test'), *toy_options(task_toy_data))
    assert result.returncode == 0, result.stderr[-4000:]
    top1 = re.findall(r'accuracy/top1: ([\d.]+)', log)[-1]
    assert re.findall(r'accuracy/top1: ([\d.]+)', result.stdout) == [top1]


def test_deploy_needs_a_moganet():
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      TOY_CONFIG, '--deploy', '--cfg-options',
                      'model.backbone.type=ResNet')
    assert tool_error(result) == (
        'error: --deploy switches MogaNet backbones to deploy mode, but the '
        f'model of {TOY_CONFIG} has none')


def test_reparameterize_tool(tmp_path):
    """A toy classifier checkpoint: converted, written, loaded by a config
    built with deploy=True; logits equal the plain model's. A deployed
    checkpoint is refused."""
    cfg, model = build_from_config(TOY_CONFIG)
    randomise(model.backbone).eval()
    plain_path, deployed_path = tmp_path / 'plain.pth', tmp_path / 'dep.pth'
    torch.save(dict(meta=dict(dataset_meta=dict(classes=['a'])),
                    state_dict=model.state_dict()), plain_path)
    result = run_tool(sys.executable, 'tools/reparameterize_model.py',
                      TOY_CONFIG, str(plain_path), str(deployed_path),
                      '--check-size', '64')
    assert result.returncode == 0, result.stderr
    assert 'model.backbone.deploy=True' in result.stdout
    saved = torch.load(deployed_path, weights_only=True)
    assert saved['meta']['moganet_reparameterized']
    assert saved['meta']['dataset_meta'] == dict(classes=['a'])
    cfg.model.backbone.deploy = True
    deployed = build_config_model(cfg)
    deployed.load_state_dict(saved['state_dict'], strict=True)
    image = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(
            deployed.eval()(image), model(image), atol=ATOL, rtol=0)

    again = run_tool(sys.executable, 'tools/reparameterize_model.py',
                     TOY_CONFIG, str(deployed_path), str(tmp_path / 'x.pth'))
    assert again.returncode != 0
    assert again.stderr.strip().splitlines()[-1].startswith('error: ')
    assert 'deployed already' in again.stderr
    assert not (tmp_path / 'x.pth').exists()


def test_toy_config_step():
    cfg, model = build_from_config(TOY_CONFIG)
    assert sum(p.numel() for p in model.parameters()) == 2763645
    import torch
    from mmpretrain.structures import DataSample
    packed = dict(
        inputs=[torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8)
                for _ in range(2)],
        data_samples=[DataSample().set_gt_label(label) for label in (0, 2)])
    _, predictions = train_step_and_predict(cfg, model, packed)
    assert predictions[0].pred_score.shape == (3, )
