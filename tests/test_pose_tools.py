"""The shared tools serve the pose configs: a short toy run trains and
evaluates with CocoMetric (OKS AP), tests with drawing, and infers in given
boxes; bad paths and head widths are one-line errors."""
import glob
import json
import os.path as osp
import sys
from functools import partial

import cv2
import pytest

from helpers import config_with, run_tool
from mmmoga.apis import check_config
from mmmoga.errors import ConfigCheckError, DatasetNotFoundError
from mmmoga.visualization import enlargement
from toy_tasks import TOY_TASKS, short_run_options

# Runs the tools end to end (training included).
pytestmark = pytest.mark.slow

# The module's toy task: its fixtures task_toy_data and task_trained_toy
# (conftest.py) and the --cfg-options of its short run.
TASK = 'pose'
toy_options = partial(short_run_options, TASK)
TOY_CONFIG = TOY_TASKS[TASK].config
FULL_CONFIG = 'configs/pose/topdown_heatmap_moga_s_256x192.py'


def test_train_runs_and_validates_with_coco_metric(task_trained_toy):
    work_dir, log = task_trained_toy
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    # CocoMetric's OKS summary, through xtcocotools.
    for key in ('coco/AP:', 'coco/AP .5:', 'coco/AR:'):
        assert key in log, key


def test_test_tool_draws_every_person(task_trained_toy, task_toy_data,
                                      tmp_path):
    work_dir, _ = task_trained_toy
    show_dir = 'drawn'
    result = run_tool(sys.executable, 'tools/test.py', TOY_CONFIG,
                      osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                      str(tmp_path), '--show-dir', show_dir,
                      *toy_options(task_toy_data))
    assert result.returncode == 0, result.stderr[-4000:]
    assert 'coco/AP:' in result.stdout + result.stderr
    # MMPose's hook draws one image per person (top-down samples).
    with open(osp.join(task_toy_data, 'annotations',
                       'person_keypoints_val.json')) as f:
        people = len(json.load(f)['annotations'])
    drawn = glob.glob(str(tmp_path / '*' / show_dir / '*.jpg'))
    assert len(drawn) == people
    assert 'drawn predictions are in' in result.stdout


def test_infer_draws_the_people_in_given_boxes(task_trained_toy,
                                               task_toy_data, tmp_path):
    work_dir, _ = task_trained_toy
    ann_file = osp.join(task_toy_data, 'annotations',
                        'person_keypoints_val.json')
    result = run_tool(sys.executable, 'tools/infer.py',
                      osp.join(task_toy_data, 'val'), '--config', TOY_CONFIG,
                      '--checkpoint', osp.join(work_dir, 'epoch_1.pth'),
                      '--bboxes', ann_file, '--out-dir', str(tmp_path))
    assert result.returncode == 0, result.stderr[-4000:]
    with open(ann_file) as f:
        coco = json.load(f)
    for image in coco['images']:
        stem = osp.splitext(image['file_name'])[0]
        people = [a for a in coco['annotations']
                  if a['image_id'] == image['id']]
        drawn = cv2.imread(str(tmp_path / 'vis' / f'{stem}.png'))
        # Enlarged to a readable size.
        scale = enlargement(image['height'], image['width'])
        assert drawn.shape == (round(image['height'] * scale),
                               round(image['width'] * scale), 3)
        with open(tmp_path / 'pred' / f'{stem}.json') as f:
            predictions = json.load(f)
        assert len(predictions) == len(people)
        for prediction, person in zip(predictions, people):
            assert len(prediction['keypoints']) == 17
            assert len(prediction['keypoint_scores']) == 17
            x, y, w, h = person['bbox']
            assert prediction['bbox'] == pytest.approx([x, y, x + w, y + h])
            assert prediction['bbox_score'] == 1


def test_ground_truth_boxes_by_config_switch(task_toy_data, tmp_path):
    """The full configs evaluate on detected boxes; bbox_file=None turns
    the dataset to the annotations' own boxes."""
    from mmengine.registry import init_default_scope
    from mmpose.registry import DATASETS
    init_default_scope('mmpose')
    detections = [dict(image_id=1, category_id=1, score=0.9,
                       bbox=[5., 5., 50., 80.])]
    bbox_file = tmp_path / 'detections.json'
    bbox_file.write_text(json.dumps(detections))
    cfg = config_with(
        FULL_CONFIG, **{
            'test_dataloader.dataset.data_root': task_toy_data + '/',
            'test_dataloader.dataset.ann_file':
            'annotations/person_keypoints_val.json',
            'test_dataloader.dataset.data_prefix.img': 'val/',
            'test_dataloader.dataset.bbox_file': str(bbox_file)
        })
    detected = DATASETS.build(cfg.test_dataloader.dataset)
    assert [detected.get_data_info(i)['bbox'].tolist()
            for i in range(len(detected))] == [[[5., 5., 55., 85.]]]
    cfg.merge_from_dict({
        'test_dataloader.dataset.bbox_file': None,
        'test_evaluator.ann_file': osp.join(task_toy_data, 'annotations',
                                            'person_keypoints_val.json')
    })
    check_config(cfg, splits=('test', ))
    with open(osp.join(task_toy_data, 'annotations',
                       'person_keypoints_val.json')) as f:
        people = len(json.load(f)['annotations'])
    assert len(DATASETS.build(cfg.test_dataloader.dataset)) == people


def test_missing_coco_stops_with_one_message(tmp_path):
    result = run_tool(sys.executable, 'tools/train.py', FULL_CONFIG,
                      '--work-dir', str(tmp_path), '--cfg-options',
                      f'train_dataloader.dataset.data_root={tmp_path}/coco/')
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert f'{tmp_path}/coco/' in message
    assert 'mmpose.readthedocs.io' in message
    assert 'tools/make_toy_data.py pose' in message


def test_missing_annotation_file_is_named(task_toy_data):
    cfg = config_with(TOY_CONFIG)
    cfg.train_dataloader.dataset.data_root = task_toy_data + '/'
    cfg.train_dataloader.dataset.ann_file = 'annotations/keypoints.json'
    with pytest.raises(DatasetNotFoundError,
                       match='annotations/keypoints.json .train_dataloader.'
                       'dataset.ann_file'):
        check_config(cfg, splits=('train', ))


def test_missing_person_detections_are_named(task_toy_data, tmp_path):
    result = run_tool(
        sys.executable, 'tools/test.py', FULL_CONFIG, str(tmp_path / 'x.pth'),
        '--work-dir', str(tmp_path), '--cfg-options',
        f'test_dataloader.dataset.data_root={task_toy_data}/',
        'test_dataloader.dataset.ann_file=annotations/'
        'person_keypoints_val.json',
        'test_dataloader.dataset.data_prefix.img=val/')
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    # The checkpoint is checked first.
    assert 'x.pth: does not exist' in result.stderr
    cfg = config_with(
        FULL_CONFIG, **{
            'test_dataloader.dataset.data_root': task_toy_data + '/',
            'test_dataloader.dataset.ann_file':
            'annotations/person_keypoints_val.json',
            'test_dataloader.dataset.data_prefix.img': 'val/'
        })
    with pytest.raises(
            DatasetNotFoundError,
            match=r'COCO_val2017_detections_AP_H_56_person.json '
            r'\(test_dataloader.dataset.bbox_file.*bbox_file=None'):
        check_config(cfg, splits=('test', ))


def test_missing_evaluator_annotations_are_named(task_toy_data):
    cfg = config_with(TOY_CONFIG)
    cfg.val_dataloader.dataset.data_root = task_toy_data + '/'
    cfg.val_evaluator.ann_file = task_toy_data + '/annotations/val.json'
    with pytest.raises(DatasetNotFoundError,
                       match=r'annotations/val.json \(val_evaluator.ann_file'):
        check_config(cfg, splits=('val', ))


@pytest.mark.parametrize('overrides,match', [
    ({'model.head.in_channels': 512},
     r"head.in_channels=512 .*'xtiny' outputs it reads \(the last of them\)"
     r', whose widths are 192'),
    ({'model.backbone.out_indices': (2, )},
     r'head.in_channels=192 .*whose widths are 96'),
])
def test_mismatched_head_width_is_a_clear_error(overrides, match):
    with pytest.raises(ConfigCheckError, match=match):
        check_config(config_with(TOY_CONFIG, **overrides), splits=())


def test_head_width_error_from_the_train_tool(tmp_path):
    result = run_tool(sys.executable, 'tools/train.py', FULL_CONFIG,
                      '--work-dir', str(tmp_path), '--cfg-options',
                      'model.head.in_channels=256')
    assert result.returncode != 0
    assert 'Traceback' not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        'error: model.head.in_channels=256')
