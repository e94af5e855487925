"""Class activation maps of a backbone stage, for tools/analysis/vis_cam.py.

* Grad-CAM (Selvaraju et al., 2017), for classifiers: the stage's feature
  maps weighted by the spatial mean of the gradient of the class score
  with respect to them, summed over channels, negative values cut.
* Eigen-CAM (Muhammad and Yeasin, 2020), for the backbone of any task's
  model: the stage's feature maps projected onto their first principal
  component (over positions). It needs no score, so it also shows what a
  detector's, segmentor's or pose model's backbone looks at.

Written here rather than taken from the ``grad-cam`` package (which
MMPretrain's ``tools/visualization/vis_cam.py`` uses): that package requires
``opencv-python-headless``, which installs a second ``cv2`` over the
``opencv-python`` that mmcv requires, and scikit-learn for methods we do not
use; the two methods are a few lines each.
"""
import os.path as osp
from typing import NamedTuple, Optional, Tuple

import mmcv
import numpy as np
import torch
from torch import nn

from mmmoga.errors import ConfigCheckError
from mmmoga.visualization import enlargement

from ..run.config import test_pipeline

CAM_METHODS = ('gradcam', 'eigencam')


def stage_output(backbone: nn.Module, stage: int) -> Tuple[nn.Module, bool]:
    """The module whose output is stage ``stage`` (0-based, as
    ``out_indices``) of ``backbone``, and whether that output is
    channels-last: MogaNet's stage norm, a ResNet's residual layer, or the
    ``stages[stage]`` of backbones built that way (ConvNeXt and others).

    Raises:
        ConfigCheckError: The stage does not exist, or the backbone is of
            none of these kinds.
    """
    if hasattr(backbone, 'stage_modules'):  # MogaNet
        count = backbone.num_stages
        if 0 <= stage < count:
            norm = backbone.stage_modules(stage)[2]
            return norm, isinstance(norm, nn.LayerNorm)
    elif hasattr(backbone, 'res_layers'):  # ResNet and its relatives
        count = len(backbone.res_layers)
        if 0 <= stage < count:
            return getattr(backbone, backbone.res_layers[stage]), False
    elif isinstance(getattr(backbone, 'stages', None), nn.ModuleList):
        count = len(backbone.stages)
        if 0 <= stage < count:
            return backbone.stages[stage], False
    else:
        raise ConfigCheckError(
            f'{type(backbone).__name__}: the stages of MogaNet, ResNet-like '
            'backbones (res_layers) and backbones with a `stages` list are '
            'known')
    raise ConfigCheckError(f'--stage {stage}: {type(backbone).__name__} has '
                           f'stages 0 to {count - 1}')


class StageActivation:
    """Keeps the output of ``module`` (NCHW) from the next forward pass."""

    def __init__(self, module: nn.Module, channels_last: bool):
        self.channels_last = channels_last
        self.value: Optional[torch.Tensor] = None
        self.handle = module.register_forward_hook(self._keep)

    def _keep(self, module, inputs, output):
        self.value = output.permute(0, 3, 1, 2) if self.channels_last \
            else output

    def remove(self):
        self.handle.remove()


def _normalised(cam: torch.Tensor) -> np.ndarray:
    """Scaled to [0, 1] (all zeros when the map is flat)."""
    cam = cam - cam.min()
    top = cam.max()
    return (cam / top if top > 0 else cam).detach().cpu().numpy()


def grad_cam(activation: torch.Tensor, score: torch.Tensor) -> np.ndarray:
    """The Grad-CAM of ``score`` (a scalar computed from ``activation``,
    shape ``(1, C, h, w)``) as an ``(h, w)`` map in [0, 1]."""
    (gradient, ) = torch.autograd.grad(score, activation)
    weights = gradient.mean(dim=(2, 3), keepdim=True)
    return _normalised(torch.relu((weights * activation).sum(1))[0])


def eigen_cam(activation: torch.Tensor) -> np.ndarray:
    """The Eigen-CAM of ``activation`` (``(1, C, h, w)``) as an ``(h, w)``
    map in [0, 1]: each position's centred feature vector projected onto the
    first principal direction, its sign chosen so that the map follows the
    mean activation, negative values cut."""
    _, channels, height, width = activation.shape
    features = activation[0].reshape(channels, -1).T.double()
    centred = features - features.mean(0)
    _, _, directions = torch.linalg.svd(centred, full_matrices=False)
    projection = centred @ directions[0]
    if torch.dot(projection, features.mean(1) - features.mean()) < 0:
        projection = -projection
    return _normalised(torch.relu(projection).reshape(height, width))


def overlay(image: np.ndarray, cam: np.ndarray,
            opacity: float = 0.5) -> np.ndarray:
    """``cam`` resized to the BGR ``image`` and drawn over it in the jet
    colour map."""
    import cv2
    height, width = image.shape[:2]
    resized = mmcv.imresize(cam.astype(np.float32), (width, height))
    heat = cv2.applyColorMap(np.uint8(255 * resized.clip(0, 1)),
                             cv2.COLORMAP_JET)
    return np.uint8((1 - opacity) * image + opacity * heat)


def beside_image(image: np.ndarray, cam: np.ndarray,
                 opacity: float = 0.5) -> np.ndarray:
    """The BGR ``image`` and, on its right, ``cam`` drawn over it
    (:func:`overlay`), both enlarged so that their short side is at least
    ``MIN_SHORT_SIDE`` pixels (:mod:`mmmoga.visualization.readable`)."""
    import cv2
    height, width = image.shape[:2]
    scale = enlargement(height, width)
    enlarged = cv2.resize(image, (round(width * scale), round(height * scale)),
                          interpolation=cv2.INTER_CUBIC)
    gap = np.full((enlarged.shape[0], max(4, enlarged.shape[1] // 64), 3),
                  255, np.uint8)
    return np.concatenate([enlarged, gap, overlay(enlarged, cam, opacity)],
                          axis=1)


class ActivationMap(NamedTuple):
    image: np.ndarray       # BGR, as the model saw it (resized, cropped)
    cam: np.ndarray         # (h, w) in [0, 1], the stage's resolution
    target: Optional[int]   # the class Grad-CAM explained
    target_name: Optional[str]


def model_input(cfg, model, path: str, size: int
                ) -> Tuple[np.ndarray, torch.Tensor]:
    """The image at ``path`` as the model sees it (BGR) and its batch of
    one, normalised by the model's data preprocessor. A classifier's image
    goes through its test pipeline (resize, crop); any other model's is
    resized so that its longer side is ``size``."""
    if not osp.isfile(path):
        raise ConfigCheckError(f'image {path} does not exist')
    if cfg.get('default_scope') == 'mmpretrain':
        pixels = test_pipeline(cfg)(dict(img_path=path))['inputs']
    else:
        image = mmcv.imread(path)
        if image is None:
            raise ConfigCheckError(f'{path} is not an image that decodes')
        image = mmcv.imrescale(image, size / max(image.shape[:2]))
        pixels = torch.from_numpy(image).permute(2, 0, 1).contiguous()
    # MMPose's preprocessor walks the data samples even when there are none.
    samples = [] if cfg.get('default_scope') == 'mmpose' else None
    with torch.no_grad():
        inputs = model.data_preprocessor(
            dict(inputs=[pixels], data_samples=samples))['inputs']
    return pixels.permute(1, 2, 0).numpy().copy(), inputs


def class_activation_map(cfg, model, path: str, stage: int, method: str,
                         target: Optional[int] = None,
                         size: int = 512) -> ActivationMap:
    """The ``method`` map (:data:`CAM_METHODS`) of stage ``stage`` of the
    backbone of ``model`` (built from ``cfg``) on the image at ``path``.
    Grad-CAM explains class ``target`` of a classifier (default: the class
    it predicts); Eigen-CAM needs no class and serves every task."""
    if method not in CAM_METHODS:
        raise ConfigCheckError(f'--method {method}: one of {CAM_METHODS}')
    is_classifier = cfg.get('default_scope') == 'mmpretrain'
    if method == 'gradcam' and not is_classifier:
        raise ConfigCheckError(
            'Grad-CAM needs a class score, which only classifiers give; '
            f'for the backbone of {cfg.get("default_scope")} models use '
            '--method eigencam')
    module, channels_last = stage_output(model.backbone, stage)
    image, inputs = model_input(cfg, model, path, size)
    hook = StageActivation(module, channels_last)
    try:
        if method == 'eigencam':
            with torch.no_grad():
                model.backbone(inputs)
            return ActivationMap(image, eigen_cam(hook.value), None, None)
        with torch.enable_grad():
            logits = model(inputs.requires_grad_(True), mode='tensor')
            if target is None:
                target = int(logits[0].argmax())
            elif not 0 <= target < logits.shape[1]:
                raise ConfigCheckError(
                    f'--target-category {target}: the classifier has '
                    f'{logits.shape[1]} classes')
            cam = grad_cam(hook.value, logits[0, target])
    finally:
        hook.remove()
    classes = (getattr(model, 'dataset_meta', None) or {}).get('classes')
    name = classes[target] if classes and target < len(classes) else None
    return ActivationMap(image, cam, target, name)
