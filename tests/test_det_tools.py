"""The shared tools serve the detection configs, run the way users run them:
a short toy run trains and validates with the COCO metric, tests with
drawing and dumped predictions, resumes, infers, and trains on two CPU
processes; bad settings are one-line errors."""
import glob
import json
import os.path as osp
import pickle
import shutil
import sys
from functools import partial

import pytest

from helpers import (
    config_with,
    corrupt_copy,
    logged_environment,
    run_distributed_tool,
    run_tool,
    tool_error,
)
from mmmoga.apis import check_config
from mmmoga.errors import ConfigCheckError, DatasetNotFoundError
from toy_tasks import TOY_TASKS, short_run_options

# Runs the tools end to end (training included).
pytestmark = pytest.mark.slow

# The module's toy task: its fixtures task_toy_data and task_trained_toy
# (conftest.py) and the --cfg-options of its short run.
TASK = 'det'
toy_options = partial(short_run_options, TASK)
TOY_CONFIG = TOY_TASKS[TASK].config


def test_train_runs_and_validates_with_the_coco_metric(task_trained_toy):
    work_dir, log = task_trained_toy
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    assert 'coco/bbox_mAP' in log and 'coco/segm_mAP' in log


def test_test_tool_dumps_and_draws_predictions(task_trained_toy,
                                               task_toy_data, tmp_path):
    work_dir, _ = task_trained_toy
    out = str(tmp_path / 'preds.pkl')
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                      str(tmp_path), '--out', out, '--show-dir', 'drawn',
                      *toy_options(task_toy_data))
    assert result.returncode == 0, result.stderr[-4000:]
    assert 'coco/segm_mAP' in result.stdout + result.stderr
    with open(out, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == 4 and 'pred_instances' in predictions[0]
    drawn = glob.glob(str(tmp_path / '*' / 'drawn' / '*.jpg'))
    assert len(drawn) == 4


def test_resume_continues_from_the_last_checkpoint(task_trained_toy,
                                                   task_toy_data, tmp_path):
    work_dir = str(tmp_path / 'resumed')
    shutil.copytree(task_trained_toy[0], work_dir)
    result = run_tool(sys.executable, 'tools/train.py', TOY_CONFIG,
                      '--work-dir', work_dir, '--resume',
                      *toy_options(task_toy_data, 'train_cfg.max_epochs=2'))
    assert result.returncode == 0, result.stderr[-4000:]
    log = result.stdout + result.stderr
    assert 'resumed epoch: 1' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def test_infer_draws_predictions(task_trained_toy, task_toy_data, tmp_path):
    work_dir, _ = task_trained_toy
    image = osp.join(task_toy_data, 'val', '000000.jpg')
    result = run_tool(sys.executable, 'tools/infer.py', image, '--config',
                      TOY_CONFIG, '--checkpoint',
                      osp.join(work_dir, 'epoch_1.pth'), '--out-dir',
                      str(tmp_path), '--score-thr', '0')
    assert result.returncode == 0, result.stderr[-4000:]
    assert osp.isfile(tmp_path / 'vis' / '000000.png')
    with open(tmp_path / 'pred' / '000000.json') as f:
        assert 'bboxes' in json.load(f)


def test_distributed_training_on_two_cpu_processes(task_toy_data, tmp_path):
    work_dir = str(tmp_path / 'dist')
    result = run_distributed_tool(
        'bash', 'tools/dist_train.sh', TOY_CONFIG, '2', '--work-dir',
        work_dir,
        *toy_options(task_toy_data, 'env_cfg.dist_cfg.backend=gloo',
                     'train_cfg.val_interval=2',
                     'train_dataloader.batch_size=2'),
        env=dict(PYTHON=sys.executable, PORT='29533', OMP_NUM_THREADS='1'))
    log = result.stdout + result.stderr
    # torchrun exits non-zero if any rank fails, so both ranks finished.
    assert result.returncode == 0, log[-4000:]
    # The environment is described in the log file (the console leads
    # with progress).
    assert 'Distributed training: True' in logged_environment(work_dir)
    # 8 images, 2 per process and iteration: the two processes share the
    # epoch in 2 iterations (one process alone would take 4).
    assert 'Epoch(train) [1][2/2]' in log
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))


def test_missing_dataset_stops_with_one_message(tmp_path):
    result = run_tool(sys.executable, 'tools/train.py',
                      'configs/det/mask_rcnn_moga_s.py', '--work-dir',
                      str(tmp_path), '--cfg-options',
                      f'train_dataloader.dataset.data_root={tmp_path}/coco/')
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()
    assert 'Traceback' not in result.stderr
    assert f'{tmp_path}/coco/' in message[-1]
    assert 'tools/make_toy_data.py det' in message[-1]


def test_check_config_accepts_the_toy_config(task_toy_data):
    cfg = config_with(TOY_CONFIG)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = task_toy_data + '/'
    for split in ('val', 'test'):
        cfg[f'{split}_evaluator'].ann_file = osp.join(
            task_toy_data, 'annotations', 'instances_val.json')
    check_config(cfg)


def test_missing_annotation_file_is_named(task_toy_data):
    cfg = config_with(TOY_CONFIG)
    cfg.train_dataloader.dataset.data_root = task_toy_data + '/'
    cfg.train_dataloader.dataset.ann_file = 'annotations/nope.json'
    with pytest.raises(DatasetNotFoundError,
                       match='annotations/nope.json .train_dataloader'):
        check_config(cfg, splits=('train', ))


@pytest.mark.parametrize('overrides,match', [
    ({'model.backbone.arch': 'huge'}, "Unknown MogaNet arch 'huge'"),
    ({'model.neck.in_channels': [64, 128, 320, 512]},
     r"in_channels=\[64, 128, 320, 512\].*'xtiny'.*\[32, 64, 96, 192\]"),
    ({'model.backbone.init_cfg': dict(type='Pretrained',
                                      checkpoint='missing/moga.pth')},
     'Checkpoint file missing/moga.pth'),
    ({'load_from': 'missing/mask_rcnn.pth'},
     'Checkpoint file missing/mask_rcnn.pth .load_from'),
])
def test_bad_model_settings_are_clear_errors(overrides, match):
    with pytest.raises(ConfigCheckError, match=match):
        check_config(config_with(TOY_CONFIG, **overrides), splits=())


def test_missing_resume_checkpoint_is_named():
    with pytest.raises(ConfigCheckError, match='nope.pth .--resume'):
        check_config(config_with(TOY_CONFIG), resume='nope.pth', splits=())


def test_test_tool_names_a_missing_checkpoint(tmp_path):
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      str(tmp_path / 'nope.pth'))
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert 'nope.pth: does not exist' in result.stderr


def test_bad_image_in_detection_testing_is_an_error_naming_it(
        task_trained_toy, task_toy_data, tmp_path):
    """Testing stops at a truncated image, naming it (the mechanism every
    task shares; training's skipping is tested in test_reliability.py)."""
    root, bad = corrupt_copy(task_toy_data, tmp_path, 'val', index=1)
    work_dir, _ = task_trained_toy
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                      str(tmp_path / 'test'), *toy_options(root))
    assert tool_error(result) == (
        f'error: bad sample {bad}: failed to load image: {bad}')
