"""Any image size from 1x1 up, in any common format, goes through every
task's test pipeline and model (predict mode) without crashing."""
import copy

import cv2
import numpy as np
import pytest
import torch

from helpers import REPO, SMALL_ARCH
from mmmoga.models import MogaNet

# Odd, prime, tiny and extremely elongated (height, width).
SIZES = [(1, 1), (2, 3), (1, 61), (61, 1), (17, 13), (3, 499), (211, 2)]
# How each format is written: grey, RGBA and RGB images.
FORMATS = {
    'gray.png': lambda rng, h, w: rng.integers(0, 256, (h, w), np.uint8),
    'rgba.png': lambda rng, h, w: rng.integers(0, 256, (h, w, 4), np.uint8),
    'rgb.jpg': lambda rng, h, w: rng.integers(0, 256, (h, w, 3), np.uint8),
}


pytestmark = pytest.mark.usefixtures('restore_default_scope')


@pytest.mark.slow
@pytest.mark.parametrize('deploy', [False, True])
def test_backbone_takes_every_size(deploy):
    torch.manual_seed(0)
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH), deploy=deploy).eval()
    with torch.no_grad():
        for height, width in SIZES:
            outs = model(torch.rand(1, 3, height, width))
            # Each of the 5 stride-2 convs maps n to ceil(n / 2).
            assert outs[-1].shape[-2:] == (-(-height // 32), -(-width // 32))
            assert all(torch.isfinite(o).all() for o in outs)


@pytest.fixture(scope='module')
def image_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp('fuzz_images')
    rng = np.random.default_rng(0)
    paths = []
    for height, width in SIZES:
        for suffix, make in FORMATS.items():
            path = str(folder / f'{height}x{width}_{suffix}')
            assert cv2.imwrite(path, make(rng, height, width))
            paths.append((path, (height, width)))
    return paths


# Each predictor returns ``check(path, (height, width))``, which predicts and
# asserts what the prediction must look like for that image.


def detect(config):
    from mmdet.apis import inference_detector, init_detector
    model = init_detector(config, None, device='cpu')

    def check(path, size):
        boxes = inference_detector(model, path).pred_instances.bboxes
        assert boxes.ndim == 2 and boxes.shape[1] == 4

    return check


def segment(config):
    from mmseg.apis import inference_model, init_model
    model = init_model(config, None, device='cpu')

    def check(path, size):
        # One class per pixel of the original image.
        assert inference_model(model, path).pred_sem_seg.shape == size

    return check


def estimate_pose(config):
    from mmpose.apis import inference_topdown, init_model
    model = init_model(config, None, device='cpu')
    num_keypoints = model.dataset_meta['num_keypoints']

    def check(path, size):
        keypoints = inference_topdown(model, path)[0].pred_instances.keypoints
        assert keypoints.shape == (1, num_keypoints, 2)
        assert np.isfinite(keypoints).all()

    return check


def classify(config):
    from mmengine.registry import init_default_scope
    from mmpretrain.apis import ImageClassificationInferencer

    # Unlike the other libraries' init functions, the inferencer builds its
    # pipeline in the current default scope.
    init_default_scope('mmpretrain')
    inferencer = ImageClassificationInferencer(config, device='cpu')
    num_classes = inferencer.model.head.num_classes

    def check(path, size):
        scores = inferencer(path)[0]['pred_scores']
        assert scores.shape == (num_classes, )
        assert abs(scores.sum() - 1) < 1e-4

    return check


@pytest.mark.slow
@pytest.mark.parametrize('config,predictor', [
    ('configs/det/toy/mask_rcnn_moga_xt_toy.py', detect),
    ('configs/seg/toy/upernet_moga_xt_toy.py', segment),
    ('configs/pose/toy/topdown_heatmap_moga_xt_toy.py', estimate_pose),
    ('configs/cls/toy/moganet_xt_toy.py', classify),
])
def test_task_models_take_every_size_and_format(config, predictor,
                                               image_files):
    check = predictor(f'{REPO}/{config}')
    for path, size in image_files:
        with torch.no_grad():
            check(path, size)
