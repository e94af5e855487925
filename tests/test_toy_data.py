"""The toy dataset generators write genuine, reproducible tasks: COCO
instances for detection, ADE20K-style label maps for segmentation, COCO
person keypoints for pose."""
import collections
import filecmp
import hashlib
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from pycocotools import mask as mask_utils

from mmmoga.toy_data import (
    CLS_CLASSES,
    COCO_KEYPOINTS,
    SEG_CLASSES,
    SHAPE_CLASSES,
    TEXTURE_CLASSES,
    PoseSceneConfig,
    SceneConfig,
    label_map,
    make_cls_image,
    make_pose_scene,
    make_scene,
    write_toy_ade,
    write_toy_coco,
    write_toy_coco_pose,
)
from mmmoga.toy_data.ade import SEG_SCENES
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


# The segmentation dataset (ADE20K layout).
@pytest.fixture(scope='module')
def toy_ade(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toy_ade'))
    write_toy_ade(root, num_train=40, num_val=10, seed=0)
    return root


def read_split(root, folder, count=None):
    """(image, label map) pairs of a split, in file order."""
    names = sorted(os.listdir(osp.join(root, 'images', folder)))[:count]
    return [(cv2.imread(osp.join(root, 'images', folder, name)),
             cv2.imread(osp.join(root, 'annotations', folder,
                                 name.replace('.jpg', '.png')),
                        cv2.IMREAD_UNCHANGED)) for name in names]


def test_seg_data_has_the_ade20k_layout(toy_ade):
    for folder, count in (('training', 40), ('validation', 10)):
        images = sorted(os.listdir(osp.join(toy_ade, 'images', folder)))
        labels = sorted(os.listdir(osp.join(toy_ade, 'annotations', folder)))
        assert len(images) == count and all(n.endswith('.jpg')
                                            for n in images)
        assert [n.replace('.jpg', '.png') for n in images] == labels
    for image, labels in read_split(toy_ade, 'validation'):
        assert labels.dtype == np.uint8 and labels.ndim == 2
        assert labels.shape == image.shape[:2]


def test_seg_data_is_deterministic(toy_ade, tmp_path):
    write_toy_ade(str(tmp_path), num_train=3, num_val=1, seed=0)
    for name in ('images/training/000002.jpg',
                 'annotations/training/000002.png',
                 'annotations/validation/000000.png'):
        assert filecmp.cmp(osp.join(toy_ade, name), tmp_path / name,
                           shallow=False)
    write_toy_ade(str(tmp_path / 'other'), num_train=1, num_val=0, seed=1)
    assert not filecmp.cmp(osp.join(toy_ade, 'annotations/training/'
                                    '000000.png'),
                           tmp_path / 'other/annotations/training/000000.png',
                           shallow=False)


def test_seg_labels_follow_the_ade20k_convention(toy_ade):
    """0 is the background that reduce_zero_label ignores; the classes are
    1..6, every one of them frequent, a good part of the pixels labelled
    (about 40%: the cluttered background around the shapes and regions is
    the unlabelled rest)."""
    counts = collections.Counter()
    for _, labels in read_split(toy_ade, 'training'):
        values, numbers = np.unique(labels, return_counts=True)
        assert 0 in values and len(values) > 2  # background and classes
        counts.update(dict(zip(values.tolist(), numbers.tolist())))
    assert set(counts) == set(range(len(SEG_CLASSES) + 1))
    labelled = sum(counts[k] for k in range(1, len(SEG_CLASSES) + 1))
    assert labelled > 0.3 * sum(counts.values())
    assert min(counts[k] for k in range(1, len(SEG_CLASSES) + 1)) > \
        0.05 * labelled


def colour_bins(image):
    """One of 512 colour bins (3 bits per channel) per pixel."""
    q = (image // 32).astype(np.int64)
    return q[..., 0] * 64 + q[..., 1] * 8 + q[..., 2]


def test_seg_classes_share_colours(toy_ade):
    """A pixel's colour alone barely predicts its class: the best colour ->
    class table learnt on the training images labels the validation pixels
    hardly better than always answering the most frequent class."""
    counts = np.zeros((512, len(SEG_CLASSES) + 1))
    for image, labels in read_split(toy_ade, 'training'):
        np.add.at(counts, (colour_bins(image).ravel(), labels.ravel()), 1)
    by_colour = counts[:, 1:].argmax(1) + 1
    majority = counts[:, 1:].sum(0).argmax() + 1
    hits = majority_hits = total = 0
    for image, labels in read_split(toy_ade, 'validation'):
        labelled = labels > 0
        hits += (by_colour[colour_bins(image)] == labels)[labelled].sum()
        majority_hits += (labels[labelled] == majority).sum()
        total += labelled.sum()
    assert hits / total < majority_hits / total + 0.1


def test_seg_scenes_mix_shapes_and_textured_regions():
    rng = np.random.default_rng(0)
    region_labels, overlapped = collections.Counter(), 0
    for _ in range(30):
        scene = make_scene(rng, SEG_SCENES)
        labels = label_map(scene)
        region_labels.update(r.label for r in scene.regions)
        for region in scene.regions:  # visible masks are what is labelled
            assert (labels[region.mask] ==
                    len(SHAPE_CLASSES) + region.label + 1).all()
        for obj in scene.objects:
            assert (labels[obj.mask] == obj.label + 1).all()
            overlapped += any(
                (cv2.dilate(obj.mask.astype(np.uint8), np.ones((3, 3))) &
                 r.mask).any() for r in scene.regions)
    assert set(region_labels) == set(range(len(TEXTURE_CLASSES)))
    assert overlapped > 10  # shapes lie on regions, not only beside them


# The first 20 training scenes of the detection data (seed 0): images and
# visible masks. `make demo` reports its mAP on exactly these scenes; a change
# to the generator that moves one random draw changes the digest.
DET_SCENES_DIGEST = ('aef94ec8fe350c7a619bb023cd3ba4b9'
                     '5f495a83e6e4e7815148219b08ba4bd4')


def test_detection_scenes_are_unchanged():
    digest = hashlib.sha256()
    for index in range(20):
        scene = make_scene(np.random.default_rng([0, 0, index]))
        assert not scene.regions
        digest.update(scene.image.tobytes())
        for obj in scene.objects:
            digest.update(obj.mask.tobytes())
    assert digest.hexdigest() == DET_SCENES_DIGEST


# The pose dataset (COCO person keypoints).
@pytest.fixture(scope='module')
def toy_pose(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toy_pose'))
    write_toy_coco_pose(root, num_train=40, num_val=8, seed=0)
    with open(osp.join(root, 'annotations',
                       'person_keypoints_train.json')) as f:
        return root, json.load(f)


def test_pose_data_has_mmposes_coco_metainfo(toy_pose):
    """Names, skeleton and left/right pairs equal those of MMPose's COCO
    dataset metainfo, which the toy configs use."""
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    meta = parse_pose_metainfo(dict(from_file='configs/_base_/datasets/'
                                    'coco.py'))
    (category, ) = toy_pose[1]['categories']
    names = [meta['keypoint_id2name'][i] for i in range(17)]
    assert category['keypoints'] == names == list(COCO_KEYPOINTS)
    skeleton = {tuple(sorted((a - 1, b - 1)))
                for a, b in category['skeleton']}
    assert skeleton == {tuple(sorted(link))
                        for link in meta['skeleton_links']}
    flip = meta['flip_indices']
    assert {tuple(p) for p in category['flip_pairs']} == \
        {(i, flip[i]) for i in range(17) if i < flip[i]}


def test_pose_data_is_deterministic(toy_pose, tmp_path):
    root, full = toy_pose
    write_toy_coco_pose(str(tmp_path), num_train=3, num_val=1, seed=0)
    assert filecmp.cmp(osp.join(root, 'train/000002.jpg'),
                       tmp_path / 'train/000002.jpg', shallow=False)
    with open(tmp_path / 'annotations' / 'person_keypoints_train.json') as f:
        small = json.load(f)
    assert [a['keypoints'] for a in small['annotations']] == \
        [a['keypoints'] for a in full['annotations'] if a['image_id'] <= 3]


def test_pose_annotations_are_consistent_coco(toy_pose):
    root, coco = toy_pose
    images = {img['id']: img for img in coco['images']}
    visibility = collections.Counter()
    per_image = collections.Counter(a['image_id'] for a in coco['annotations'])
    assert max(per_image.values()) >= 3 and min(per_image.values()) == 1
    for ann in coco['annotations']:
        keypoints = np.array(ann['keypoints']).reshape(17, 3)
        visibility.update(keypoints[:, 2].astype(int).tolist())
        assert ann['num_keypoints'] == (keypoints[:, 2] > 0).sum() >= 10
        assert (keypoints[keypoints[:, 2] == 0, :2] == 0).all()
        img = images[ann['image_id']]
        labelled = keypoints[keypoints[:, 2] > 0, :2]
        assert (labelled >= 0).all() and \
            (labelled <= [img['width'] - 1, img['height'] - 1]).all()
        # Visible joints lie on the figure, so in its box (a pixel of
        # slack: the box is the visible silhouette's pixels).
        x, y, w, h = ann['bbox']
        visible = keypoints[keypoints[:, 2] == 2, :2]
        assert (visible >= [x - 1, y - 1]).all() and \
            (visible <= [x + w, y + h]).all()
        assert 0 < ann['area'] <= w * h and ann['segmentation']
    # Visible, occluded and outside-the-image joints all occur.
    assert visibility[2] > 10 * visibility[1] > 0 and visibility[0] > 0


def test_pose_left_and_right_look_different():
    """The person's left limbs carry a light core line and the right ones a
    dark one, so a flipped image stays consistent with its swapped labels."""
    config = PoseSceneConfig(num_figures=(1, 1), num_occluders=(0, 0),
                             num_clutter=(0, 0))
    rng = np.random.default_rng(5)
    for _ in range(10):
        image, (figure, ) = make_pose_scene(rng, config)
        gray = image.astype(float).mean(-1)
        for side, check in (('left', lambda v: v > 180),
                            ('right', lambda v: v < 70)):
            for joint_a, joint_b in (('shoulder', 'elbow'),
                                     ('hip', 'knee')):
                a = COCO_KEYPOINTS.index(f'{side}_{joint_a}')
                b = COCO_KEYPOINTS.index(f'{side}_{joint_b}')
                if not (figure.visibility[[a, b]] == 2).all():
                    continue
                x, y = np.round((figure.keypoints[a] +
                                 figure.keypoints[b]) / 2).astype(int)
                assert check(gray[y, x]), (side, joint_a, gray[y, x])


def test_pose_occluded_joints_are_covered():
    """A joint labelled hidden (v=1) lies under a later figure or a box:
    the pixel there is not the figure's visible silhouette."""
    rng = np.random.default_rng(2)
    hidden = 0
    for _ in range(30):
        _, figures = make_pose_scene(rng)
        for figure in figures:
            for point in figure.keypoints[figure.visibility == 1]:
                x, y = np.round(point).astype(int)
                assert not figure.mask[y, x]
                hidden += 1
    assert hidden > 5


def test_cls_data_layout_and_balance(toy_data):
    tiny_toy_cls = toy_data('cls')
    for split, count in (('train', 12), ('val', 6)):
        assert sorted(os.listdir(osp.join(tiny_toy_cls, split))) == \
            sorted(CLS_CLASSES)
        for name in CLS_CLASSES:
            files = os.listdir(osp.join(tiny_toy_cls, split, name))
            assert len(files) == count // len(CLS_CLASSES)
            assert all(f.startswith(name + '_') for f in files)


def test_cls_images_show_their_class():
    import numpy as np

    from mmmoga.toy_data import make_scene
    from mmmoga.toy_data.cls import SHAPE_IMAGES
    for label in range(len(CLS_CLASSES)):
        rng = np.random.default_rng([7, label])
        image = make_cls_image(rng, label)
        assert image.shape == (64, 64, 3)
        # The same draws, replayed: the last scene drawn has the shape.
        replay = np.random.default_rng([7, label])
        while True:
            scene = make_scene(replay, SHAPE_IMAGES)
            if scene.objects and scene.objects[0].label == label:
                break
        assert (scene.image == image).all()


def test_large_mosaic_annotations_fit_its_shapes(tmp_path):
    from mmmoga.toy_data import write_toy_large
    ann_file = write_toy_large(str(tmp_path), size=1600, cells=2)['val']
    with open(ann_file) as f:
        coco = json.load(f)
    (image, ) = coco['images']
    assert (image['width'], image['height']) == (1600, 1600)
    picture = cv2.imread(str(tmp_path / 'val' / image['file_name']))
    assert picture.shape == (1600, 1600, 3)
    assert len(coco['annotations']) >= 4
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        assert 0 <= x and 0 <= y and x + w <= 1600 and y + h <= 1600
        # Drawn twice as large as the detection scenes' 28-120 pixels.
        assert max(w, h) >= 20


def test_toy_video_pans_across_a_mosaic(tmp_path):
    from helpers import video_frames
    from mmmoga.toy_data import write_toy_video
    path = write_toy_video(str(tmp_path), num_frames=5, fps=10,
                           size=(160, 120))['video']
    frames, fps = video_frames(path)
    assert len(frames) == 5 and frames[0].shape == (120, 160, 3)
    assert fps == pytest.approx(10)
    # The view moves.
    assert np.abs(frames[0].astype(int) - frames[-1]).mean() > 5
