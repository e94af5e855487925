"""Class activation maps (mmmoga.apis.analysis.cam): Grad-CAM and Eigen-CAM on
activations whose answer is known, the stages of the backbones, and a map
of a toy classifier."""
import glob
import os

import numpy as np
import pytest
import torch

import mmmoga
from mmmoga.apis.analysis.cam import (
    class_activation_map,
    eigen_cam,
    grad_cam,
    stage_output,
)
from mmmoga.errors import ConfigCheckError
from mmmoga.models import MogaNet

pytestmark = pytest.mark.usefixtures('restore_default_scope')


def spot_activation():
    """Two channels on a 4x4 grid: channel 0 is 1 at (1, 2) and small
    elsewhere, channel 1 the same everywhere."""
    activation = torch.full((1, 2, 4, 4), 0.1)
    activation[0, 0, 1, 2] = 1.0
    activation[0, 1] = 0.5
    return activation.requires_grad_(True)


def test_grad_cam_weights_the_channels_the_score_depends_on():
    activation = spot_activation()
    cam = grad_cam(activation, activation[0, 0].sum())
    assert cam.shape == (4, 4) and np.isfinite(cam).all()
    assert np.unravel_index(cam.argmax(), cam.shape) == (1, 2)
    assert cam.max() == 1 and cam.min() == 0
    # A score of the flat channel alone explains nothing: a flat map.
    flat = grad_cam(activation, activation[0, 1].sum())
    assert np.all(flat == 0)


def test_eigen_cam_follows_the_main_direction_of_the_features():
    cam = eigen_cam(spot_activation().detach())
    assert cam.shape == (4, 4)
    assert np.unravel_index(cam.argmax(), cam.shape) == (1, 2)


def test_stages_are_named_from_zero():
    backbone = MogaNet(arch='xtiny')
    module, channels_last = stage_output(backbone, 3)
    assert module is backbone.norm4
    with pytest.raises(ConfigCheckError, match='has stages 0 to 3'):
        stage_output(backbone, 4)
    with pytest.raises(ConfigCheckError, match='stages of MogaNet'):
        stage_output(torch.nn.Conv2d(3, 3, 1), 0)


def test_toy_classifier_map(toy_data):
    cfg = mmmoga.get_config('configs/cls/toy/moganet_xt_toy.py')
    model = mmmoga.get_model('configs/cls/toy/moganet_xt_toy.py')
    [image] = sorted(glob.glob(os.path.join(toy_data('cls'), 'val', '*',
                                            '*.jpg')))[:1]
    result = class_activation_map(cfg, model, image, stage=2,
                                  method='gradcam', target=1)
    assert result.cam.shape == (4, 4)  # 64x64 crop, stage 2: stride 16
    assert np.isfinite(result.cam).all()
    assert 0 <= result.cam.min() and result.cam.max() <= 1
    assert result.image.shape == (64, 64, 3) and result.target == 1
    with pytest.raises(ConfigCheckError, match='the classifier has 3'):
        class_activation_map(cfg, model, image, 2, 'gradcam', target=3)


def test_grad_cam_is_for_classifiers():
    cfg = mmmoga.get_config('fpn_moga_xt')
    with pytest.raises(ConfigCheckError, match='use --method eigencam'):
        class_activation_map(cfg, None, 'any.jpg', 2, 'gradcam')
