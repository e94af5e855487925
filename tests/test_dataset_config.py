"""tools/dataset_config.py: a config for one's own data, for every task, from
data laid out unlike the toy defaults; and one error naming the file for
each bad layout."""
import json
import os
import os.path as osp
import shutil
import sys

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from helpers import run_tool, run_tools, tool_error
from mmmoga.apis.dataset_config import DatasetOptions, write_dataset_config
from mmmoga.apis.dataset_config.thin_config import (
    ThinConfig,
    format_assignment,
)
from mmmoga.errors import ConfigCheckError, DatasetLayoutError
from mmmoga.toy_data import (
    SEG_CLASSES,
    write_toy_ade,
    write_toy_boxes,
    write_toy_cls,
    write_toy_coco_pose,
)

pytestmark = pytest.mark.usefixtures('restore_default_scope')

BOX_LAYOUT = dict(train_ann='labels/train.json', val_ann='labels/val.json',
                  train_img='pictures/train/', val_img='pictures/val/')
# Five of COCO's keypoints: a keypoint set of another size.
FIVE_KEYPOINTS = ('nose', 'left_wrist', 'right_wrist', 'left_ankle',
                  'right_ankle')


def five_keypoint_copy(source, target):
    """The toy pose set with only :data:`FIVE_KEYPOINTS`, its annotations
    renamed ``{train,val}_hands_feet.json`` beside images in ``img/``."""
    os.makedirs(osp.join(target, 'ann'))
    for split in ('train', 'val'):
        shutil.copytree(osp.join(source, split), osp.join(target, 'img',
                                                          split))
        with open(osp.join(source, 'annotations',
                           f'person_keypoints_{split}.json')) as file:
            content = json.load(file)
        names = content['categories'][0]['keypoints']
        kept = [names.index(n) for n in FIVE_KEYPOINTS]
        for annotation in content['annotations']:
            values = annotation['keypoints']
            annotation['keypoints'] = [v for i in kept
                                       for v in values[3 * i:3 * i + 3]]
            annotation['num_keypoints'] = sum(
                v > 0 for v in annotation['keypoints'][2::3])
        content['categories'][0].update(
            keypoints=list(FIVE_KEYPOINTS), skeleton=[[1, 2], [1, 3]])
        with open(osp.join(target, 'ann', f'{split}_hands_feet.json'),
                  'w') as file:
            json.dump(content, file)
    return dict(train_ann='ann/train_hands_feet.json',
                val_ann='ann/val_hands_feet.json', train_img='img/train/',
                val_img='img/val/')


def moved_seg_copy(source, target):
    """The toy segmentation set with images in ``rgb/`` and label maps in
    ``masks/``."""
    for split in ('training', 'validation'):
        shutil.copytree(osp.join(source, 'images', split),
                        osp.join(target, 'rgb', split))
        shutil.copytree(osp.join(source, 'annotations', split),
                        osp.join(target, 'masks', split))
    return dict(train_img='rgb/training', val_img='rgb/validation',
                train_seg='masks/training', val_seg='masks/validation',
                classes=','.join(SEG_CLASSES), reduce_zero_label=True)


def listed_cls_copy(source, target):
    """The toy classification set as annotation lists over one folder."""
    os.makedirs(target)
    shutil.copytree(source, osp.join(target, 'all'))
    classes = sorted(os.listdir(osp.join(source, 'train')))
    for split in ('train', 'val'):
        with open(osp.join(target, f'{split}.txt'), 'w') as file:
            for label, name in enumerate(classes):
                for image in sorted(os.listdir(osp.join(source, split,
                                                        name))):
                    file.write(f'{split}/{name}/{image} {label}\n')
    return dict(train_ann='train.txt', val_ann='val.txt', train_img='all',
                val_img='all', classes=','.join(classes))


@pytest.fixture(scope='module')
def own_data(tmp_path_factory):
    """Task -> (base config, data root, DatasetOptions fields): the toy
    sets in layouts unlike the toy defaults."""
    root = tmp_path_factory.mktemp('own_data')
    write_toy_boxes(str(root / 'boxes'), num_train=8, num_val=4, seed=3)
    write_toy_coco_pose(str(root / 'pose_src'), num_train=4, num_val=2,
                        seed=3)
    write_toy_ade(str(root / 'seg_src'), num_train=4, num_val=2, seed=3)
    write_toy_cls(str(root / 'cls_src'), num_train=12, num_val=6, seed=3)
    return {
        'det': ('configs/det/toy/faster_rcnn_moga_xt_toy.py',
                str(root / 'boxes'), BOX_LAYOUT),
        'pose': ('configs/pose/toy/topdown_heatmap_moga_xt_toy.py',
                 str(root / 'pose'),
                 five_keypoint_copy(str(root / 'pose_src'),
                                    str(root / 'pose'))),
        'seg': ('configs/seg/toy/fpn_moga_xt_toy.py', str(root / 'seg'),
                moved_seg_copy(str(root / 'seg_src'), str(root / 'seg'))),
        'cls': ('configs/cls/toy/moganet_xt_toy.py', str(root / 'cls'),
                listed_cls_copy(str(root / 'cls_src'), str(root / 'cls'))),
    }


def write(own, tmp_path, task, name='own.py', config=None, **changes):
    base, root, layout = own[task]
    out = str(tmp_path / name)
    result = write_dataset_config(config or base, root, out,
                                  DatasetOptions(**{**layout, **changes}))
    return result, Config.fromfile(out)


def test_det_box_only_data_with_non_contiguous_ids(own_data, tmp_path):
    result, cfg = write(own_data, tmp_path, 'det')
    assert result.classes == ('circle', 'square', 'triangle')
    assert cfg.train_dataloader.dataset.ann_file == 'labels/train.json'
    assert cfg.val_evaluator.ann_file.endswith('boxes/labels/val.json')
    assert 'classes (category id: name): 7: circle, 3: square, 12: ' \
        'triangle' in result.summary
    text = (tmp_path / 'own.py').read_text()
    assert text.count('_base_') == 1 and 'num_classes' not in text


def test_det_class_count_reaches_every_cascade_head(own_data, tmp_path):
    """Two classes: the three box heads of a cascade (a list, written
    whole) get the count; nothing else of them changes."""
    _, root, layout = own_data['det']
    for name in ('train', 'val'):
        path = osp.join(root, layout[f'{name}_ann'])
        with open(path) as file:
            content = json.load(file)
        content['categories'] = content['categories'][:2]
        content['annotations'] = [a for a in content['annotations']
                                  if a['category_id'] in (7, 3)]
        with open(tmp_path / f'{name}.json', 'w') as file:
            json.dump(content, file)
    config = 'configs/det/cascade_rcnn_moga_s_giou_4conv1f_ms3x.py'
    result, cfg = write(
        own_data, tmp_path, 'det', config=config, no_pretrained=True,
        train_ann=str(tmp_path / 'train.json'),
        val_ann=str(tmp_path / 'val.json'))
    base = Config.fromfile(config)
    heads = cfg.model.roi_head.bbox_head
    assert [h.num_classes for h in heads] == [2, 2, 2]
    assert [h.bbox_coder.target_stds for h in heads] == \
        [h.bbox_coder.target_stds for h in base.model.roi_head.bbox_head]
    assert cfg.model.backbone.init_cfg == dict(type='FanOutNormal',
                                                layer='Conv2d')
    assert '2 classes: set in model.roi_head.bbox_head[0].num_classes, ' \
        'model.roi_head.bbox_head[1].num_classes, ' \
        'model.roi_head.bbox_head[2].num_classes' in result.summary


def test_a_mask_model_on_box_only_data_names_the_box_only_config(
        own_data, tmp_path):
    with pytest.raises(DatasetLayoutError,
                       match='trains masks, but 2[0-9] of the 2[0-9] objects'
                       '.* have no "segmentation": use the box-only '
                       r'configs/det/faster_rcnn_moga_t.py \(it trains 1x '
                       'at one scale'):
        write(own_data, tmp_path, 'det',
              config='configs/det/mask_rcnn_moga_t_ms3x.py')


@pytest.mark.parametrize('break_it,match', [
    (lambda c: c.pop('categories'), 'has no "categories" list'),
    (lambda c: c['annotations'][0].update(category_id=1),
     r'annotations\[0\] has category_id 1, which "categories" does not '
     r'list \(ids: \[7, 3, 12\]\)'),
    (lambda c: c['categories'].reverse(),
     'the categories of .*val.json differ from those of'),
    (lambda c: c['images'][0].update(file_name='part_0/nothing.jpg'),
     '1 of the 4 images of .* are not in .* e.g. .*part_0/nothing.jpg'),
])
def test_bad_coco_json_is_one_error_naming_the_file(own_data, tmp_path,
                                                    break_it, match):
    _, root, layout = own_data['det']
    with open(osp.join(root, layout['val_ann'])) as file:
        content = json.load(file)
    break_it(content)
    with open(tmp_path / 'val.json', 'w') as file:
        json.dump(content, file)
    with pytest.raises(DatasetLayoutError, match=match) as error:
        write(own_data, tmp_path, 'det', val_ann=str(tmp_path / 'val.json'))
    assert 'val.json' in str(error.value)


def test_pose_five_keypoints(own_data, tmp_path):
    result, cfg = write(own_data, tmp_path, 'pose', sigmas='0.04')
    assert cfg.model.head.out_channels == 5
    meta = cfg.train_dataloader.dataset.metainfo
    assert [meta.keypoint_info[i]['name'] for i in range(5)] == \
        list(FIVE_KEYPOINTS)
    assert meta.keypoint_info[1]['swap'] == 'right_wrist'
    assert meta.keypoint_info[0]['swap'] == ''
    assert meta.skeleton_info[1]['link'] == ('nose', 'right_wrist')
    assert meta.sigmas == [0.04] * 5
    assert cfg.val_dataloader.dataset.bbox_file is None
    assert 'flip pairs (left / right names): left_wrist/right_wrist, ' \
        'left_ankle/right_ankle' in ' '.join(result.summary)


def test_pose_keypoint_count_mismatch_names_the_file(own_data, tmp_path):
    _, root, layout = own_data['pose']
    with open(osp.join(root, layout['train_ann'])) as file:
        content = json.load(file)
    content['annotations'][1]['keypoints'] += [0, 0, 0]
    with open(tmp_path / 'train.json', 'w') as file:
        json.dump(content, file)
    with pytest.raises(DatasetLayoutError,
                       match=r'train.json: annotations\[1\] has 18 keypoint '
                       r'values, not 3 x 5'):
        write(own_data, tmp_path, 'pose',
              train_ann=str(tmp_path / 'train.json'))
    with pytest.raises(ConfigCheckError, match='--sigmas gives 2 values; '
                       'the dataset has 5 keypoints'):
        write(own_data, tmp_path, 'pose', sigmas='0.1,0.2')


def test_seg_moved_folders_and_bad_label_maps(own_data, tmp_path):
    result, cfg = write(own_data, tmp_path, 'seg')
    assert cfg.model.decode_head.num_classes == 6
    assert cfg.train_dataloader.dataset.type == 'BaseSegDataset'
    assert cfg.train_dataloader.dataset.data_prefix == dict(
        img_path='rgb/training', seg_map_path='masks/training')
    # Without --reduce-zero-label, label 6 (a class under it) is out of range
    # and every LoadAnnotations step would have to agree.
    with pytest.raises(DatasetLayoutError,
                       match=r'masks/training/\d+.png holds the label value '
                       r'6, which is not one of the 6 classes'):
        write(own_data, tmp_path, 'seg', reduce_zero_label=False)
    _, root, _ = own_data['seg']
    label = sorted(os.listdir(osp.join(root, 'masks', 'validation')))[0]
    bad = tmp_path / 'masks'
    shutil.copytree(osp.join(root, 'masks', 'validation'), bad)
    Image.fromarray(np.zeros((5, 7), np.uint8)).save(bad / label)
    with pytest.raises(DatasetLayoutError,
                       match=f'{label} is 7x5 but its image is'):
        write(own_data, tmp_path, 'seg', val_seg=str(bad))
    with pytest.raises(ConfigCheckError, match='--classes is needed'):
        write(own_data, tmp_path, 'seg', classes=None)


def test_seg_reduce_zero_label_reaches_every_pipeline(own_data, tmp_path):
    """The toy config loads with reduce_zero_label=True everywhere; a set
    whose label 0 is a class must change every LoadAnnotations step."""
    _, root, layout = own_data['seg']
    shifted = tmp_path / 'data'
    shutil.copytree(root, shifted)
    for path in shifted.glob('masks/*/*.png'):
        values = np.asarray(Image.open(path)).astype(np.int64)
        values = np.where(values == 255, 255, np.maximum(values - 1, 0))
        Image.fromarray(values.astype(np.uint8)).save(path)
    out = tmp_path / 'own.py'
    write_dataset_config(own_data['seg'][0], str(shifted), str(out),
                         DatasetOptions(**{**layout,
                                           'reduce_zero_label': False}))
    cfg = Config.fromfile(str(out))
    steps = [step for pipeline in (cfg.train_dataloader.dataset.pipeline,
                                   cfg.test_dataloader.dataset.pipeline)
             for step in pipeline if step.type == 'LoadAnnotations']
    steps += [branch[0] for branch in cfg.tta_pipeline[1].transforms
              if branch[0].type == 'LoadAnnotations']
    assert len(steps) == 3
    assert all(step.reduce_zero_label is False for step in steps)
    assert cfg.train_dataloader.dataset.reduce_zero_label is False


def test_cls_lists_and_folders(own_data, tmp_path):
    result, cfg = write(own_data, tmp_path, 'cls', epochs=14)
    assert cfg.train_dataloader.dataset.type == 'CustomDataset'
    assert cfg.train_dataloader.dataset.ann_file == 'train.txt'
    assert 'split' not in cfg.train_dataloader.dataset
    assert cfg.train_cfg.max_epochs == 14
    assert cfg.param_scheduler[1].end == 14  # cosine over the whole run
    # Class folders: one missing from val shifts labels, so it is refused.
    _, root, _ = own_data['cls']
    folders = tmp_path / 'folders'
    shutil.copytree(osp.join(root, 'all'), folders)
    shutil.rmtree(folders / 'val' / 'square')
    with pytest.raises(DatasetLayoutError,
                       match="val \\(--val-img\\) lacks the class folder "
                       "'square'"):
        write_dataset_config(own_data['cls'][0], str(folders),
                             str(tmp_path / 'f.py'),
                             DatasetOptions(val_img='val'))


def test_cls_zoo_config_topk_follows_the_class_count(own_data, tmp_path):
    result, cfg = write(own_data, tmp_path, 'cls',
                        config='configs/cls/moganet_xt_in1k.py', epochs=31)
    # Warm-up, cosine and cool-down keep their shares of the 310 epochs.
    assert [(s.get('begin', 0), s.end) for s in cfg.param_scheduler] == \
        [(0, 1), (1, 30)]
    assert cfg.model.head.num_classes == 3
    assert cfg.data_preprocessor.num_classes == 3
    assert cfg.val_evaluator.topk == (1, )
    assert 'accuracy: top-1 only (3 classes)' in result.summary


@pytest.mark.pose
def test_epochs_scale_the_milestones(own_data, tmp_path):
    result, cfg = write(own_data, tmp_path, 'pose',
                        config='configs/pose/topdown_heatmap_moga_xt_256x192'
                        '.py', epochs=21, no_pretrained=True, batch_size=8)
    assert cfg.train_cfg.max_epochs == 21 and cfg.train_cfg.val_interval == 10
    assert cfg.param_scheduler[1].milestones == [17, 20]
    assert cfg.param_scheduler[1].end == 21
    assert cfg.param_scheduler[0].end == 500  # counted in iterations
    assert 'param_scheduler.1.milestones [170, 200] -> [17, 20]' in \
        result.summary[-2]
    assert cfg.train_dataloader.batch_size == 8
    with pytest.raises(ConfigCheckError, match='--iters: .* does not train '
                       'by iters .* use --epochs'):
        write(own_data, tmp_path, 'pose', iters=100)


def test_thin_config_writes_lists_whole_and_deletes_only_base_dicts():
    cfg = Config(dict(a=dict(b=[dict(c=1, d=2), dict(c=1)], e=dict(f=1))))
    edit = ThinConfig(cfg)
    edit.set('a.b[1].c', 5)
    edit.set('a.e', dict(g=2), replace=True)
    edit.set('a.h', dict(i=3), replace=True)
    assert edit.settings() == dict(a=dict(
        b=[dict(c=1, d=2), dict(c=5)], e=dict(_delete_=True, g=2),
        h=dict(i=3)))
    text = format_assignment('x', dict(names=['a' * 30] * 4, n=1))
    assert max(map(len, text.splitlines())) <= 79
    assert eval(text.split(' = ', 1)[1]) == dict(names=['a' * 30] * 4, n=1)


@pytest.mark.slow
@pytest.mark.parametrize('task', ['det', 'seg', 'pose', 'cls'])
def test_generated_config_trains_and_tests_with_the_tools(own_data, tmp_path,
                                                          task):
    """The config written for the data (by the tool for detection, by the
    API behind it for the others) trains two iterations with
    tools/train.py; tools/test.py evaluates the checkpoint (detection, with
    drawing, and pose), or the training run validates at its end
    (segmentation, classification: the same evaluator, a tool start-up
    less each, which the suite's time needs)."""
    base, root, layout = own_data[task]
    out = str(tmp_path / f'own_{task}.py')
    short = {'det': ['train_dataloader.batch_size=4',
                     'train_cfg.max_epochs=1',
                     'default_hooks.checkpoint.interval=1'],
             'seg': ['train_cfg.max_iters=2', 'train_cfg.val_interval=2',
                     'default_hooks.checkpoint.interval=2',
                     'param_scheduler=[]', 'train_dataloader.batch_size=2'],
             'pose': ['train_dataloader.batch_size=4',
                      'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                      'default_hooks.checkpoint.interval=1'],
             'cls': ['train_dataloader.batch_size=6',
                     'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                     'default_hooks.checkpoint.interval=1']}[task]
    work_dir = str(tmp_path / 'work')
    loaders = [f'{s}_dataloader.num_workers=0' for s in ('train', 'val',
                                                          'test')]
    loaders += [f'{s}_dataloader.persistent_workers=False'
                for s in ('train', 'val', 'test')]
    train = [sys.executable, 'tools/train.py', out, '--work-dir', work_dir,
             '--cfg-options', 'train_cfg.val_interval=99', *short, *loaders]
    metric = {'det': 'coco/bbox_mAP', 'seg': 'mIoU', 'pose': 'coco/AP',
              'cls': 'accuracy/top1'}[task]
    if task != 'det':
        write_dataset_config(base, root, out, DatasetOptions(**layout))
        result = run_tool(*train)
        assert result.returncode == 0, result.stderr[-3000:]
        if task == 'cls':  # 2 iterations: 1 epoch of 2 steps
            assert 'Epoch(train) [1][2/2]' in result.stdout + result.stderr
        assert f'{metric}: ' in result.stdout + result.stderr
        return
    # Detection: the tool writes the config, then tools/train.py and
    # tools/test.py (drawing with the written palette).
    write = [sys.executable, 'tools/dataset_config.py', base, root, '-o',
             out]
    for key, value in layout.items():
        write += ['--' + key.replace('_', '-'), value]
    test = [sys.executable, 'tools/test.py', out,
            osp.join(work_dir, 'epoch_1.pth'), '--work-dir', work_dir,
            '--show-dir', str(tmp_path / 'drawn'), '--cfg-options', *loaders]
    written, trained, tested = run_tools([write, train, test])
    assert written.returncode == 0, written.stderr[-3000:]
    assert 'passes the tools\' checks' in written.stdout
    assert trained.returncode == 0, trained.stderr[-3000:]
    assert 'Epoch(train) [1][2/2]' in trained.stdout + trained.stderr
    assert tested.returncode == 0, tested.stderr[-3000:]
    assert len(list((tmp_path / 'drawn').rglob('*.jpg'))) == 4
    assert f'{metric}: ' in tested.stdout + tested.stderr


def test_the_tool_reports_a_bad_layout_in_one_line(own_data, tmp_path):
    base, root, _ = own_data['det']
    result = run_tool(sys.executable, 'tools/dataset_config.py', base, root,
                      '-o', str(tmp_path / 'x.py'))
    assert tool_error(result) == (
        f'error: {root}/annotations/instances_train.json (--train-ann, '
        'default) does not exist')


def test_an_option_of_another_task_is_refused(own_data, tmp_path):
    with pytest.raises(ConfigCheckError, match='--flip-pairs applies to pose '
                       'configs only; CONFIG is a det config'):
        write(own_data, tmp_path, 'det', flip_pairs='a:b')
    with pytest.raises(ConfigCheckError, match='--reduce-zero-label applies '
                       'to seg configs only'):
        write(own_data, tmp_path, 'cls', reduce_zero_label=True)
    _, root, _ = own_data['cls']
    with pytest.raises(ConfigCheckError, match='--classes a,b,c differs from '
                       'the class folders'):
        write_dataset_config(own_data['cls'][0], osp.join(root, 'all'),
                             str(tmp_path / 'f.py'),
                             DatasetOptions(classes='a,b,c'))
    assert not (tmp_path / 'f.py').exists()
