"""The toy dataset generator writes a genuine, reproducible COCO task."""
import collections
import filecmp
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from mmmoga.toy_data import (SHAPE_CLASSES, SceneConfig, make_scene,
                             write_toy_coco)
from mmmoga.toy_data.coco import mask_to_polygons
from mmmoga.toy_data.scenes import shape_area


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toy'))
    write_toy_coco(root, num_train=60, num_val=12, seed=0)
    with open(osp.join(root, 'annotations', 'instances_train.json')) as f:
        return root, json.load(f)


def test_is_deterministic(toy, tmp_path):
    root, _ = toy
    write_toy_coco(str(tmp_path), num_train=5, num_val=2, seed=0)
    for name in ('train/000004.jpg', 'val/000001.jpg'):
        assert filecmp.cmp(osp.join(root, name), tmp_path / name,
                           shallow=False)
    with open(tmp_path / 'annotations' / 'instances_train.json') as f:
        small = json.load(f)
    _, full = toy
    first_five = [a for a in full['annotations'] if a['image_id'] <= 5]
    assert [a['bbox'] for a in small['annotations']] == \
        [a['bbox'] for a in first_five]


def test_seed_changes_the_data(toy, tmp_path):
    write_toy_coco(str(tmp_path), num_train=1, num_val=1, seed=1)
    assert not filecmp.cmp(osp.join(toy[0], 'train/000000.jpg'),
                           tmp_path / 'train/000000.jpg', shallow=False)


def test_is_a_varied_multi_class_task(toy):
    _, coco = toy
    assert [c['name'] for c in coco['categories']] == list(SHAPE_CLASSES)
    per_image = collections.Counter(a['image_id'] for a in coco['annotations'])
    assert set(per_image) == {img['id'] for img in coco['images']}
    assert min(per_image.values()) == 1 and max(per_image.values()) == 6
    labels = collections.Counter(a['category_id'] for a in coco['annotations'])
    assert set(labels) == {1, 2, 3}
    assert min(labels.values()) > 0.2 * sum(labels.values())
    areas = np.array([a['area'] for a in coco['annotations']])
    assert areas.min() < 1000 and areas.max() > 5000  # small and large
    widths = {img['width'] for img in coco['images']}
    assert min(widths) >= 256 and max(widths) <= 400 and len(widths) > 10


def test_boxes_and_areas_enclose_the_polygons(toy):
    _, coco = toy
    images = {img['id']: img for img in coco['images']}
    for ann in coco['annotations']:
        img = images[ann['image_id']]
        rle = mask_utils.merge(mask_utils.frPyObjects(
            ann['segmentation'], img['height'], img['width']))
        x, y, w, h = ann['bbox']
        px, py, pw, ph = mask_utils.toBbox(rle)
        # The pixel box holds the polygon's, at most a few pixels larger.
        assert x <= px and y <= py and px + pw <= x + w and py + ph <= y + h
        assert w - pw <= 4 and h - ph <= 4
        assert 0 < mask_utils.area(rle) <= ann['area']
        assert x >= 0 and y >= 0 and x + w <= img['width'] and \
            y + h <= img['height']


def test_polygons_follow_the_visible_masks():
    rng = np.random.default_rng(1)
    for _ in range(20):
        scene = make_scene(rng)
        height, width = scene.image.shape[:2]
        for obj in scene.objects:
            polygon_mask = mask_utils.decode(mask_utils.merge(
                mask_utils.frPyObjects(mask_to_polygons(obj.mask), height,
                                       width))).astype(bool)
            iou = (polygon_mask & obj.mask).sum() / (polygon_mask
                                                     | obj.mask).sum()
            assert iou > 0.8


def test_objects_overlap_but_stay_visible():
    rng = np.random.default_rng(0)
    overlapping = 0
    for _ in range(40):
        scene = make_scene(rng)
        for i, obj in enumerate(scene.objects):
            # At least min_visible of the whole shape, up to rasterisation.
            assert obj.mask.sum() >= 0.9 * SceneConfig.min_visible * \
                shape_area(obj.label, obj.size)
            for later in scene.objects[i + 1:]:
                # Visible masks never overlap: later objects cut earlier ones.
                assert not (obj.mask & later.mask).any()
        full = [cv2.dilate(o.mask.astype(np.uint8), np.ones((3, 3)))
                for o in scene.objects]
        overlapping += sum(
            (a & b).any() for i, a in enumerate(full) for b in full[i + 1:])
    assert overlapping > 5


def test_images_have_background_clutter(toy):
    root, coco = toy
    img = coco['images'][0]
    image = cv2.imread(osp.join(root, 'train', img['file_name']))
    objects = np.zeros(image.shape[:2], bool)
    for ann in coco['annotations']:
        if ann['image_id'] == img['id']:
            objects |= mask_utils.decode(mask_utils.merge(
                mask_utils.frPyObjects(ann['segmentation'], img['height'],
                                       img['width']))).astype(bool)
    background = image[~objects].astype(float)
    assert background.std(axis=0).mean() > 5  # not a flat colour
