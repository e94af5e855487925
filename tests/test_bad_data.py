"""An image that cannot be read and a malformed annotation, in every task's
dataset, are in training skipped with one warning naming the file and the
reason and counted, and in testing one error naming the file
(CheckedDataset with mmmoga.datasets.annotation_checks)."""
import json
import os.path as osp
import re

import cv2
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from helpers import REPO, corrupt_copy
from mmmoga.datasets import CheckedDataset, checked_dataset
from mmmoga.errors import BadDataError
from mmmoga.toy_data import (
    write_toy_ade,
    write_toy_cls,
    write_toy_coco,
    write_toy_coco_pose,
)
from toy_tasks import TOY_TASKS

pytestmark = pytest.mark.usefixtures('restore_default_scope')


def toy_dataset(config, split, root, **changes):
    """The ``split`` dataset config of a toy config, on the data in
    ``root``, in the config's registry scope."""
    cfg = Config.fromfile(osp.join(REPO, config))
    init_default_scope(cfg.default_scope)
    dataset = cfg[f'{split}_dataloader'].dataset.to_dict()
    dataset.update(data_root=f'{root}/', **changes)
    return dataset


@pytest.fixture
def warnings(monkeypatch):
    """The warnings CheckedDataset logs from now on; read them with
    ``warnings.taken()``, which also forgets them."""
    logged = []

    def record(message, logger=None, level=None):
        logged.append(message)

    monkeypatch.setattr(checked_dataset, 'print_log', record)

    class Warnings:
        @staticmethod
        def taken():
            taken = list(logged)
            logged.clear()
            return taken

    return Warnings


def edit_json(path, edit):
    """Rewrites the JSON file ``path`` after ``edit(content)``; returns what
    ``edit`` returned."""
    with open(path) as file:
        content = json.load(file)
    result = edit(content)
    with open(path, 'w') as file:
        json.dump(content, file)
    return result


def all_samples(dataset):
    return [dataset[index] for index in range(len(dataset))]


def sample_path(sample):
    return sample['data_samples'].img_path


def test_detection_box_outside_and_empty_polygon(tmp_path, warnings):
    root = str(tmp_path)
    write_toy_coco(root, num_train=6, num_val=2, seed=1)
    config = TOY_TASKS['det'].config
    CheckedDataset(toy_dataset(config, 'train', root), skip_bad_samples=True)
    assert warnings.taken() == []  # clean data: nothing reported

    def damage(content):
        images = {image['id']: image for image in content['images']}
        # Wholly outside its image (mmdet would drop it without a word), and
        # an empty polygon list (a KeyError deep in LoadAnnotations).
        outside = content['annotations'][0]
        image = images[outside['image_id']]
        outside['bbox'] = [image['width'] + 5, 10, 20, 20]
        empty = next(a for a in content['annotations']
                     if a['image_id'] != outside['image_id'])
        empty['segmentation'] = []
        return [
            (f'{root}/train/{image["file_name"]}',
             f'annotation {outside["id"]}: box [x, y, w, h] = '
             f'{outside["bbox"]} reaches outside the {image["width"]}x'
             f'{image["height"]} image'),
            (f'{root}/train/{images[empty["image_id"]]["file_name"]}',
             f'annotation {empty["id"]}: empty polygon list'),
        ]

    bad = edit_json(osp.join(root, 'annotations', 'instances_train.json'),
                    damage)
    dataset = CheckedDataset(toy_dataset(config, 'train', root),
                             skip_bad_samples=True, max_bad_fraction=0.5)
    assert warnings.taken() == [
        f'skipping bad sample {path}: {reason}' for path, reason in bad
    ]
    assert len(dataset) == 6
    paths = [sample_path(sample) for sample in all_samples(dataset)]
    assert not {path for path, _ in bad} & set(paths)
    assert warnings.taken() == []  # one warning per file
    # The same inside a dataset wrapper (mmdet's 3x configs use one).
    CheckedDataset(dict(type='RepeatDataset', times=2,
                        dataset=toy_dataset(config, 'train', root)),
                   skip_bad_samples=True, max_bad_fraction=0.5)
    assert warnings.taken() == [
        f'skipping bad sample {path}: {reason}' for path, reason in bad
    ]
    # The default 1% allows none of 6.
    with pytest.raises(BadDataError, match='^2 of 6 training samples are '
                       'bad, more than max_bad_fraction=0.01 allows'):
        CheckedDataset(toy_dataset(config, 'train', root),
                       skip_bad_samples=True)

    # Testing: one error naming the file, when the dataset is built.
    path, reason = bad[0]
    with pytest.raises(BadDataError) as error:
        CheckedDataset(toy_dataset(config, 'train', root, test_mode=True),
                       skip_bad_samples=False)
    assert str(error.value) == (f'bad sample {path}: {reason} (1 more files '
                                'have bad annotations)')


def test_segmentation_label_map_of_the_wrong_size(tmp_path, warnings):
    root = str(tmp_path)
    write_toy_ade(root, num_train=4, num_val=2, seed=1)
    config = TOY_TASKS['seg'].config
    maps = sorted((tmp_path / 'annotations' / 'training').glob('*.png'))
    wrong_size = maps[1]
    label_map = cv2.imread(str(wrong_size), cv2.IMREAD_UNCHANGED)
    height, width = label_map.shape
    cv2.imwrite(str(wrong_size), label_map[:height // 2])
    image = str(wrong_size).replace('annotations', 'images').replace(
        '.png', '.jpg')

    dataset = CheckedDataset(toy_dataset(config, 'train', root),
                             skip_bad_samples=True, max_bad_fraction=0.3)
    samples = all_samples(dataset)
    assert image not in {sample_path(sample) for sample in samples}
    assert warnings.taken() == [
        f'skipping bad sample {image}, {wrong_size}: label map is '
        f'{width}x{height // 2} but the image is {width}x{height}'
    ]

    # Values that are not classes (a colour-coded or 16-bit map), in testing.
    val_map = sorted((tmp_path / 'annotations' / 'validation').glob('*.png'))
    label_map = cv2.imread(str(val_map[0]), cv2.IMREAD_UNCHANGED)
    label_map[0, :3] = 200
    cv2.imwrite(str(val_map[0]), label_map)
    dataset = CheckedDataset(toy_dataset(config, 'val', root),
                             skip_bad_samples=False)
    with pytest.raises(BadDataError,
                       match=r'bad sample .*validation/.*\.jpg, '
                       f'{re.escape(str(val_map[0]))}: label map has values '
                       '199 \\(after '
                       'reduce_zero_label\\) that are neither one of the 6 '
                       'classes nor the ignore index 255$'):
        all_samples(dataset)


def test_pose_keypoints_out_of_range(tmp_path, warnings):
    root = str(tmp_path)
    write_toy_coco_pose(root, num_train=4, num_val=2, seed=1)
    config = TOY_TASKS['pose'].config
    clean = CheckedDataset(toy_dataset(config, 'train', root),
                           skip_bad_samples=True)
    assert warnings.taken() == []

    def damage(content, number, x, visibility):
        """Moves keypoint 0 of annotation ``number`` to ``x`` and gives it
        ``visibility``."""
        images = {image['id']: image for image in content['images']}
        annotation = content['annotations'][number]
        annotation['keypoints'][0] = x
        annotation['keypoints'][2] = visibility
        return annotation, images[annotation['image_id']]

    train_file = osp.join(root, 'annotations', 'person_keypoints_train.json')
    annotation, image = edit_json(
        train_file, lambda content: damage(content, 0, -50.0, 2))
    dataset = CheckedDataset(toy_dataset(config, 'train', root),
                             skip_bad_samples=True, max_bad_fraction=0.5)
    assert warnings.taken() == [
        f'skipping bad sample {root}/train/{image["file_name"]}: annotation '
        f'{annotation["id"]}: keypoint 0 at (-50.0, '
        f'{annotation["keypoints"][1]}) lies outside the {image["width"]}x'
        f'{image["height"]} image'
    ]
    assert len(dataset) == len(clean) - 1  # that person is dropped

    val_file = osp.join(root, 'annotations', 'person_keypoints_val.json')
    annotation, image = edit_json(
        val_file, lambda content: damage(content, 1, 10.0, 5))
    with pytest.raises(BadDataError) as error:
        CheckedDataset(toy_dataset(config, 'val', root),
                       skip_bad_samples=False)
    assert str(error.value) == (
        f'bad sample {root}/val/{image["file_name"]}: annotation '
        f'{annotation["id"]}: keypoint 0 has visibility 5 (COCO: 0 not '
        'labelled, 1 occluded, 2 visible)')


def test_classification_label_out_of_range(tmp_path, warnings):
    root = str(tmp_path)
    write_toy_cls(root, num_train=6, num_val=3, seed=1)
    config = TOY_TASKS['cls'].config
    images = sorted(
        osp.relpath(path, tmp_path / 'train')
        for path in (tmp_path / 'train').rglob('*.jpg'))
    # An annotation file whose second line names a fourth class.
    lines = [f'{path} {min(number, 2)}' for number, path in enumerate(images)]
    lines[1] = f'{images[1]} 3'
    (tmp_path / 'train.txt').write_text('\n'.join(lines) + '\n')
    dataset = CheckedDataset(
        toy_dataset(config, 'train', root, ann_file='train.txt'),
        skip_bad_samples=True, max_bad_fraction=0.2)
    samples = all_samples(dataset)
    bad = f'{root}/train/{images[1]}'
    assert bad not in {sample_path(sample) for sample in samples}
    assert warnings.taken() == [
        f'skipping bad sample {bad}: class label [3] is outside the 3 '
        'classes (0..2)'
    ]
    with pytest.raises(BadDataError, match=f'^bad sample {bad}: class label'):
        all_samples(CheckedDataset(
            toy_dataset(config, 'train', root, ann_file='train.txt'),
            skip_bad_samples=False))


@pytest.mark.parametrize('task', sorted(TOY_TASKS))
def test_unreadable_image(task, tmp_path, warnings):
    toy = TOY_TASKS[task]
    config, write_data, train_images = (toy.config, toy.write_data,
                                        toy.train_images)
    write_data(str(tmp_path / 'written'), num_train=4, num_val=2, seed=2)
    root, image = corrupt_copy(tmp_path / 'written', tmp_path, train_images,
                               1)

    dataset = CheckedDataset(toy_dataset(config, 'train', root),
                             skip_bad_samples=True, max_bad_fraction=0.5)
    assert str(image) not in {
        sample_path(sample) for sample in all_samples(dataset)}
    logged = warnings.taken()
    assert len(logged) == 1, logged
    # (segmentation names the label map too)
    assert re.match(
        f'skipping bad sample {re.escape(str(image))}(, [^:]*)?: failed to '
        f'load image: {re.escape(str(image))}$', logged[0]), logged[0]

    dataset = CheckedDataset(toy_dataset(config, 'train', root),
                             skip_bad_samples=False)
    with pytest.raises(BadDataError, match=f'^bad sample '
                       f'{re.escape(str(image))}.*: failed to load image'):
        all_samples(dataset)
