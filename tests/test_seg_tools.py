"""The shared tools serve the segmentation configs: a short toy run trains,
evaluates with IoUMetric, tests with drawing and with test-time
augmentation, and infers; bad settings are one-line errors."""
import glob
import os.path as osp
import re
import sys
from functools import partial

import cv2
import pytest
from mmengine.config import Config

from helpers import (
    REPO,
    config_with,
    logged_environment,
    run_distributed_tool,
    run_tool,
)
from mmmoga.apis import check_config
from mmmoga.errors import ConfigCheckError, DatasetNotFoundError
from mmmoga.toy_data import SEG_CLASSES
from mmmoga.visualization import enlargement
from toy_tasks import TOY_TASKS, short_run_options

# Runs the tools end to end (training included).
pytestmark = pytest.mark.slow

# The module's toy task: its fixtures task_toy_data and task_trained_toy
# (conftest.py) and the --cfg-options of its short run.
TASK = 'seg'
toy_options = partial(short_run_options, TASK)
TOY_CONFIG = TOY_TASKS[TASK].config


def test_train_runs_and_validates_with_iou_metric(task_trained_toy):
    work_dir, log = task_trained_toy
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    assert 'mIoU' in log and 'mAcc' in log and 'aAcc' in log
    for name in SEG_CLASSES:  # a row of IoUMetric's per-class table
        assert re.search(rf'\|\s+{name}\s+\|\s+[\d.]+\s+\|', log), name


def test_test_tool_draws_overlays_and_runs_tta(task_trained_toy,
                                               task_toy_data, tmp_path):
    work_dir, _ = task_trained_toy
    checkpoint = osp.join(work_dir, 'iter_2.pth')
    show_dir = str(tmp_path / 'drawn')
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      checkpoint, '--work-dir', str(tmp_path / 'test'),
                      '--show-dir', show_dir, *toy_options(task_toy_data))
    assert result.returncode == 0, result.stderr[-4000:]
    drawn = glob.glob(osp.join(show_dir, '**', '*.png'), recursive=True)
    assert len(drawn) == 2  # every val image, not every 50th
    assert f'drawn predictions are in {show_dir}' in result.stdout

    # Multi-scale (6 ratios) and flip: 12 views of each image, merged.
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      checkpoint, '--work-dir', str(tmp_path / 'tta'),
                      '--tta', *toy_options(task_toy_data))
    assert result.returncode == 0, result.stderr[-4000:]
    assert 'mIoU' in result.stdout + result.stderr
    # The config the run used, as the Runner saved it in the work dir.
    tested = Config.fromfile(str(tmp_path / 'tta' / osp.basename(TOY_CONFIG)))
    assert tested.model.type == 'SegTTAModel'
    assert tested.model.module.type == 'EncoderDecoder'
    # The run wrapped every dataset in CheckedDataset; the saved config is
    # the tool's, which the libraries' inferencers can read.
    assert tested.test_dataloader.dataset.type != 'CheckedDataset'
    assert tested.test_dataloader.dataset.pipeline == tested.tta_pipeline


def test_infer_writes_overlays_and_label_maps(task_trained_toy,
                                              task_toy_data, tmp_path):
    work_dir, _ = task_trained_toy
    images = osp.join(task_toy_data, 'images', 'validation')
    result = run_tool(sys.executable, 'tools/infer.py', images, '--config',
                      TOY_CONFIG, '--checkpoint',
                      osp.join(work_dir, 'iter_2.pth'), '--out-dir',
                      str(tmp_path))
    assert result.returncode == 0, result.stderr[-4000:]
    for stem in ('000000', '000001'):
        image = cv2.imread(osp.join(images, stem + '.jpg'))
        overlay = cv2.imread(str(tmp_path / 'vis' / f'{stem}.png'))
        labels = cv2.imread(str(tmp_path / 'pred' / f'{stem}.png'),
                            cv2.IMREAD_UNCHANGED)
        # Enlarged to a readable size, with the legend beside the image.
        height, width = image.shape[:2]
        scale = enlargement(height, width)
        # (to the pixel: matplotlib renders whole pixels)
        assert abs(overlay.shape[0] - height * scale) < 1
        assert overlay.shape[1] > width * scale
        assert labels.shape == image.shape[:2]
        assert labels.max() < len(SEG_CLASSES)


def test_tta_without_tta_settings_is_one_error(tmp_path):
    det_toy = 'configs/det/toy/mask_rcnn_moga_xt_toy.py'
    checkpoint = tmp_path / 'model.pth'
    checkpoint.write_bytes(b'')
    result = run_tool(sys.executable, 'tools/test.py', det_toy,
                      str(checkpoint), '--tta', '--cfg-options',
                      f'test_dataloader.dataset.data_root={REPO}/')
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        'error: --tta needs tta_model and tta_pipeline')


def test_missing_ade20k_stops_with_one_message(tmp_path):
    result = run_tool(sys.executable, 'tools/train.py',
                      'configs/seg/upernet_moga_s.py', '--work-dir',
                      str(tmp_path), '--cfg-options',
                      f'train_dataloader.dataset.data_root={tmp_path}/ade/')
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert f'{tmp_path}/ade/' in message
    assert 'ADE20K' in message and 'mmsegmentation.readthedocs.io' in message
    assert 'tools/make_toy_data.py seg' in message


def test_check_config_accepts_the_toy_config(task_toy_data):
    cfg = config_with(TOY_CONFIG)
    for split in ('train', 'val', 'test'):
        cfg[f'{split}_dataloader'].dataset.data_root = task_toy_data + '/'
    check_config(cfg)


def test_missing_label_folder_is_named(task_toy_data):
    cfg = config_with(TOY_CONFIG)
    cfg.val_dataloader.dataset.data_root = task_toy_data + '/'
    cfg.val_dataloader.dataset.data_prefix.seg_map_path = 'labels/val'
    with pytest.raises(DatasetNotFoundError,
                       match='labels/val .val_dataloader.dataset.data_prefix'
                       '.seg_map_path'):
        check_config(cfg, splits=('val', ))


@pytest.mark.parametrize('overrides,match', [
    ({'model.decode_head.in_channels': [64, 128, 320, 512]},
     r'decode_head.in_channels=\[64, 128, 320, 512\].*\'xtiny\'.*'
     r'\[32, 64, 96, 192\]'),
    ({'model.auxiliary_head.in_channels': 320},
     r'auxiliary_head.in_channels=320 .*in_index=2.*96'),
    ({'model.auxiliary_head.in_index': 4},
     r'auxiliary_head.in_index=4 .*selects an output the backbone does not '
     r'have'),
    ({'model.backbone.arch': 'huge'}, "Unknown MogaNet arch 'huge'"),
])
def test_mismatched_head_widths_are_clear_errors(overrides, match):
    with pytest.raises(ConfigCheckError, match=match):
        check_config(config_with(TOY_CONFIG, **overrides), splits=())


def test_fpn_neck_width_is_checked():
    cfg = config_with('configs/seg/fpn_moga_t.py')
    check_config(cfg, splits=())
    cfg.model.neck.in_channels = [32, 64, 96, 192]
    with pytest.raises(ConfigCheckError, match=r"neck.in_channels.*'tiny'"):
        check_config(cfg, splits=())


def test_head_width_error_from_the_train_tool(tmp_path):
    result = run_tool(sys.executable, 'tools/train.py', TOY_CONFIG,
                      '--work-dir', str(tmp_path), '--cfg-options',
                      'model.auxiliary_head.in_channels=128')
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert 'auxiliary_head.in_channels=128' in \
        result.stderr.strip().splitlines()[-1]


def test_distributed_training_on_two_cpu_processes(task_toy_data, tmp_path):
    """SyncBN, which PyTorch runs on GPUs only, becomes BN on CPU processes;
    the two processes share the 4 images of each iteration."""
    work_dir = str(tmp_path / 'dist')
    result = run_distributed_tool(
        'bash', 'tools/dist_train.sh', TOY_CONFIG, '2', '--work-dir',
        work_dir,
        *toy_options(task_toy_data, 'env_cfg.dist_cfg.backend=gloo',
                     'train_cfg.max_iters=1', 'train_cfg.val_interval=1',
                     'default_hooks.checkpoint.interval=1'),
        env=dict(PYTHON=sys.executable, PORT='29534', OMP_NUM_THREADS='1'))
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    # The environment is described in the log file (the console leads
    # with progress).
    assert 'Distributed training: True' in logged_environment(work_dir)
    assert 'SyncBN layers of the model run as BN' in log
    assert 'mIoU' in log
    assert osp.isfile(osp.join(work_dir, 'iter_1.pth'))
