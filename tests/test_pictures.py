"""Predictions on one's own pictures (mmmoga.apis.pictures): large images in
tiles, videos, people found by a detector before their poses."""
import glob
import json
import os.path as osp
import sys

import cv2
import numpy as np
import pytest

from helpers import run_tool, video_frames
from mmmoga.apis.pictures.slicing import (
    merge_detections,
    sliced_detections,
    tile_origins,
)

PY = sys.executable
DET_CONFIG = 'configs/det/toy/mask_rcnn_moga_xt_toy.py'
POSE_CONFIG = 'configs/pose/toy/topdown_heatmap_moga_xt_toy.py'
CLS_CONFIG = 'configs/cls/toy/moganet_xt_toy.py'


def test_tiles_cover_the_image_and_share_the_overlap():
    assert tile_origins(100, 640, 0.2) == [0]
    origins = tile_origins(1000, 320, 0.2)
    assert origins[0] == 0 and origins[-1] == 1000 - 320
    steps = np.diff(origins)
    # Consecutive tiles share at least a fifth of a tile.
    assert (steps <= 256).all() and (steps > 0).all()


def _squares_image(size, square, spacing, rng):
    """A grey image with bright squares of side ``square`` on a grid (with
    a random offset), and their xyxy boxes."""
    image = np.full((size, size, 3), 60, np.uint8)
    boxes = []
    for top in range(spacing // 2, size - square, spacing):
        for left in range(spacing // 2, size - square, spacing):
            y, x = top + int(rng.integers(-5, 6)), left + int(
                rng.integers(-5, 6))
            image[y:y + square, x:x + square] = 230
            boxes.append([x, y, x + square, y + square])
    return image, np.array(boxes, np.float32)


def _detector_at(scale_to, min_side):
    """A stand-in detector that, like a test pipeline, scales its input
    down to ``scale_to`` pixels on the long side and finds bright squares
    at least ``min_side`` pixels wide there."""

    def detect(image):
        factor = min(1., scale_to / max(image.shape[:2]))
        small = cv2.resize(image[..., 0], None, fx=factor, fy=factor,
                           interpolation=cv2.INTER_AREA)
        count, _, stats, _ = cv2.connectedComponentsWithStats(
            (small > 150).astype(np.uint8))
        boxes = [[x, y, x + w, y + h] for x, y, w, h, _ in stats[1:count]
                 if min(w, h) >= min_side]
        boxes = np.array(boxes, np.float32).reshape(-1, 4) / factor
        return boxes, np.full(len(boxes), 0.9, np.float32), np.zeros(
            len(boxes), np.int64)

    return detect


def _recall(found, truth, iou_thr=0.5):
    if len(found) == 0:
        return 0.
    top_left = np.maximum(truth[:, None, :2], found[None, :, :2])
    bottom_right = np.minimum(truth[:, None, 2:], found[None, :, 2:])
    inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=2)
    area = lambda b: np.prod(b[:, 2:] - b[:, :2], axis=1)  # noqa: E731
    iou = inter / (area(truth)[:, None] + area(found)[None] - inter)
    return float((iou.max(axis=1) >= iou_thr).mean())


def test_slicing_finds_small_objects_the_whole_image_misses():
    image, truth = _squares_image(1600, 24, 100,
                                  np.random.default_rng(0))
    detect = _detector_at(scale_to=256, min_side=6)
    whole = detect(image)[0]
    boxes, scores, labels = sliced_detections(image, detect, 320, 0.2)
    assert _recall(whole, truth) < 0.1
    assert _recall(boxes, truth) == 1.0
    # One box per square: the squares cut by a tile border were found
    # whole in a neighbouring tile, and the parts were merged away.
    assert len(boxes) == len(truth)


def test_merging_keeps_the_best_box_per_object_and_class():
    boxes = np.array([[0, 0, 10, 10], [0, 0, 5, 10], [0, 0, 10, 10],
                      [50, 50, 60, 60]], np.float32)
    scores = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
    labels = np.array([0, 0, 1, 0])
    kept = merge_detections(boxes, scores, labels)
    # The part-box of the first object goes; the other class stays.
    assert kept.tolist() == [0, 2, 3]


@pytest.fixture(scope='module')
def toy_video(tmp_path_factory, toy_data):
    """A four-frame video of toy shapes at 5 frames per second."""
    root = toy_data('cls')
    path = str(tmp_path_factory.mktemp('video') / 'toy.avi')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), 5,
                             (96, 80))
    frames = sorted(glob.glob(osp.join(root, 'val', '*', '*.jpg')))[:4]
    for frame in frames:
        writer.write(cv2.resize(cv2.imread(frame), (96, 80)))
    writer.release()
    return path


def test_video_in_the_same_frames_out(trained_toy, toy_video, tmp_path):
    """The classifier (the smallest toy model) draws each frame with its
    best classes beside it, the video keeps its frame rate and count."""
    work_dir, _ = trained_toy('cls')
    result = run_tool(PY, 'tools/infer.py', toy_video, '--config',
                      CLS_CONFIG, '--checkpoint',
                      osp.join(work_dir, 'epoch_1.pth'), '--out-dir',
                      str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    out_file = tmp_path / 'toy.mp4'
    assert f'wrote {out_file}: 4 frames at 5 frames per second' in \
        result.stdout
    assert 'predicted and drawn at' in result.stdout
    frames, fps = video_frames(out_file)
    assert len(frames) == 4
    assert fps == pytest.approx(5)
    # Drawn: the classes are listed beside the frame.
    assert frames[0].shape[1] > frames[0].shape[0] * 96 / 80


@pytest.mark.pose
def test_a_person_detector_gives_one_skeleton_per_person(trained_toy):
    from mmmoga.apis.pictures import InferenceSettings, build_predictor
    from mmmoga.toy_data import PoseSceneConfig, make_pose_scene
    image, figures = make_pose_scene(
        np.random.default_rng(5), PoseSceneConfig(num_figures=(3, 3)))
    people = np.array([[*np.min(f.keypoints[f.visibility > 0], axis=0),
                        *np.max(f.keypoints[f.visibility > 0], axis=0)]
                       for f in figures], np.float32)
    assert len(people) == 3
    name = 'scene.jpg'
    work_dir, _ = trained_toy('pose')
    predictor = build_predictor(POSE_CONFIG, InferenceSettings(
        checkpoint=osp.join(work_dir, 'epoch_1.pth')))
    # A detector that finds the scene's people, with scores (the toy shapes'
    # detector, short-trained, finds shapes; the tests below run it).
    scores = np.linspace(0.9, 0.5, len(people), dtype=np.float32)
    predictor.detector = lambda image: np.concatenate(
        [people, scores[:, None]], axis=1)
    prediction = predictor(image, name)
    assert len(prediction.record) == len(people) == len(prediction.rows)
    np.testing.assert_allclose([p['bbox'] for p in prediction.record],
                               people, atol=1e-3)
    np.testing.assert_allclose([p['bbox_score'] for p in prediction.record],
                               scores, atol=1e-6)
    assert all(len(p['keypoints']) == 17 for p in prediction.record)
    assert prediction.drawn.shape[2] == 3
    # No person found: no skeleton (MMPose would take the whole image).
    predictor.detector = lambda image: np.zeros((0, 5), np.float32)
    assert predictor(image, name).record == []


@pytest.mark.pose
def test_infer_finds_people_with_the_detector(trained_toy, toy_data,
                                              tmp_path):
    """The tool's path: the detector's boxes (scores below 1, where a box
    given for the whole image scores 1) are where the poses are."""
    root = toy_data('pose')
    work_dir, _ = trained_toy('pose')
    det_dir, _ = trained_toy('det')
    image = osp.join(root, 'val', '000000.jpg')
    result = run_tool(
        PY, 'tools/infer.py', image, '--config', POSE_CONFIG,
        '--checkpoint', osp.join(work_dir, 'epoch_1.pth'), '--det-config',
        DET_CONFIG, '--det-checkpoint', osp.join(det_dir, 'epoch_1.pth'),
        '--det-score-thr', '0', '--out-dir', str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    with open(tmp_path / 'pred' / '000000.json') as f:
        people = json.load(f)
    assert people and all(0 < p['bbox_score'] < 1 for p in people)
    assert (tmp_path / 'vis' / '000000.png').is_file()


def test_a_work_dirs_config_serves_the_librarys_inferencer(trained_toy):
    """The config a run saved in its work dir is the one it was given, not
    the runner's (whose datasets are wrapped in CheckedDataset): MMDetection's
    own inferencer reads its test pipeline and dataset."""
    from mmdet.apis import DetInferencer
    from mmengine.config import Config
    work_dir, _ = trained_toy('det')
    saved = osp.join(work_dir, osp.basename(DET_CONFIG))
    assert Config.fromfile(saved).test_dataloader.dataset.type != \
        'CheckedDataset'
    inferencer = DetInferencer(model=saved,
                               weights=osp.join(work_dir, 'epoch_1.pth'))
    assert inferencer.model.dataset_meta['classes'] == (
        'circle', 'square', 'triangle')


@pytest.mark.pose
def test_get_inferencer_runs_the_person_detector_first(trained_toy,
                                                       toy_data):
    """MMPose's own inferencer, given our detector: its people come from
    the detector (box scores below 1; with the whole image as the box, the
    score is 1); a classifier takes no detector."""
    from mmdet.apis import DetInferencer

    import mmmoga
    from mmmoga.errors import ConfigCheckError
    work_dir, _ = trained_toy('pose')
    det_dir, _ = trained_toy('det')
    inferencer = mmmoga.get_inferencer(
        POSE_CONFIG, pretrained=osp.join(work_dir, 'epoch_1.pth'),
        det=DET_CONFIG, det_pretrained=osp.join(det_dir, 'epoch_1.pth'),
        det_cat_id=2)
    assert isinstance(inferencer.inferencer.detector, DetInferencer)
    assert inferencer.inferencer.det_cat_ids == (2, )
    image = osp.join(toy_data('pose'), 'val', '000000.jpg')
    (people, ) = next(inferencer(image, bbox_thr=0.))['predictions']
    assert people and all(p['bbox_score'] < 1 for p in people)
    with pytest.raises(ConfigCheckError, match='finds people for top-down'):
        mmmoga.get_inferencer(CLS_CONFIG, pretrained=False, det=DET_CONFIG)
    with pytest.raises(ConfigCheckError, match='det_cat_id 5'):
        mmmoga.get_inferencer(POSE_CONFIG, pretrained=False, det=DET_CONFIG,
                              det_pretrained=False, det_cat_id=5)
