"""Drawing a trained model's predictions on images, for every task.

Each task goes through its library's inferencer where that serves:

* detection: MMDetection's ``DetInferencer`` writes the drawn images to
  ``OUT_DIR/vis/`` and the predictions as JSON to ``OUT_DIR/preds/``;
* segmentation: MMSegmentation's ``MMSegInferencer``; the coloured overlays
  go to ``OUT_DIR/vis/`` and the label maps (PNG, one class index per pixel)
  to ``OUT_DIR/pred/``, both named after the input image (the inferencer
  itself names label maps by a running counter);
* pose (top-down): :class:`~mmmoga.visualization.PoseDrawer` draws the people
  in the given boxes (the whole image where there are none) to
  ``OUT_DIR/vis/`` and writes keypoints, scores and boxes as JSON to
  ``OUT_DIR/pred/``;
* classification: MMPretrain's ``ImageClassificationInferencer`` draws into
  ``OUT_DIR/vis/`` and the scores go to ``OUT_DIR/pred/`` as JSON.
"""
import json
import os
import os.path as osp
from typing import Callable, Dict, Iterator, NamedTuple, Optional, Sequence

import mmcv
import numpy as np
from mmengine.config import Config
from mmengine.utils import scandir

from mmmoga.errors import ConfigCheckError
from mmmoga.models import switch_model_to_deploy

from .deploy import require_moganet

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
# Detections scoring below this are not drawn: at mmdet's default (0.3) most
# toy objects carry a second, wrong-class box.
DEFAULT_SCORE_THR = 0.5


class InferenceSettings(NamedTuple):
    """What :func:`infer` needs besides the config and the inputs."""
    checkpoint: str
    out_dir: str = 'outputs'
    device: str = 'cpu'
    deploy: bool = False
    score_thr: float = DEFAULT_SCORE_THR
    kpt_thr: float = 0.3
    person_boxes: Optional[Dict[str, np.ndarray]] = None


def image_files(inputs: Sequence[str]) -> Iterator[str]:
    """The image files among ``inputs``, folders expanded in sorted order."""
    for source in inputs:
        if osp.isdir(source):
            for name in sorted(scandir(source, IMAGE_SUFFIXES,
                                       recursive=True, case_sensitive=False)):
                yield osp.join(source, name)
        else:
            yield source


def _output_dirs(out_dir: str):
    """``out_dir/vis`` and ``out_dir/pred``, created."""
    vis_dir, pred_dir = osp.join(out_dir, 'vis'), osp.join(out_dir, 'pred')
    for folder in (vis_dir, pred_dir):
        os.makedirs(folder, exist_ok=True)
    return vis_dir, pred_dir


def _prepare(model, settings: InferenceSettings):
    if settings.deploy:
        switch_model_to_deploy(model)


def _infer_detection(config: str, inputs, settings: InferenceSettings):
    from mmdet.apis import DetInferencer
    inferencer = DetInferencer(model=config, weights=settings.checkpoint,
                               device=settings.device)
    _prepare(inferencer.model, settings)
    for source in inputs:
        inferencer(source, out_dir=settings.out_dir,
                   pred_score_thr=settings.score_thr, no_save_pred=False)


def _infer_segmentation(config: str, inputs, settings: InferenceSettings):
    from mmseg.apis import MMSegInferencer
    inferencer = MMSegInferencer(model=config, weights=settings.checkpoint,
                                 device=settings.device)
    _prepare(inferencer.model, settings)
    vis_dir, pred_dir = _output_dirs(settings.out_dir)
    # 8-bit PNGs hold class indices up to 255; more classes need 16 bits.
    num_classes = len(inferencer.model.dataset_meta['classes'])
    label_dtype = np.uint8 if num_classes <= 256 else np.uint16
    for path in image_files(inputs):
        result = inferencer(path, return_vis=True)
        stem = osp.splitext(osp.basename(path))[0]
        mmcv.imwrite(result['visualization'][..., ::-1],
                     osp.join(vis_dir, stem + '.png'))
        mmcv.imwrite(result['predictions'].astype(label_dtype),
                     osp.join(pred_dir, stem + '.png'))


def _infer_pose(config: str, inputs, settings: InferenceSettings):
    from mmmoga.visualization import PoseDrawer
    drawer = PoseDrawer(config, settings.checkpoint, device=settings.device)
    _prepare(drawer.model, settings)
    drawer.draw_all(image_files(inputs), settings.out_dir,
                    settings.person_boxes, settings.kpt_thr)


def _infer_classification(config: str, inputs, settings: InferenceSettings):
    from mmpretrain.apis import ImageClassificationInferencer
    inferencer = ImageClassificationInferencer(
        model=config, pretrained=settings.checkpoint, device=settings.device)
    _prepare(inferencer.model, settings)
    vis_dir, pred_dir = _output_dirs(settings.out_dir)
    for path in image_files(inputs):
        # The inferencer draws into vis_dir, named after the image (PNG).
        (result, ) = inferencer(path, show_dir=vis_dir)
        stem = osp.splitext(osp.basename(path))[0]
        with open(osp.join(pred_dir, stem + '.json'), 'w') as f:
            json.dump(dict(result, pred_scores=result['pred_scores'].tolist()),
                      f)


TASK_INFERENCE: Dict[str, Callable] = {
    'mmdet': _infer_detection,
    'mmseg': _infer_segmentation,
    'mmpose': _infer_pose,
    'mmpretrain': _infer_classification,
}


def infer(config: str, inputs: Sequence[str],
          settings: InferenceSettings) -> str:
    """Draws the predictions of ``config``'s model with the weights of
    ``settings.checkpoint`` on ``inputs`` (image files or folders); returns
    the folder of the drawn images."""
    for path in [config, settings.checkpoint, *inputs]:
        if not osp.exists(path):
            raise ConfigCheckError(f'{path} does not exist')
    cfg = Config.fromfile(config)
    if settings.deploy:
        require_moganet(
            cfg, '--deploy switches MogaNet backbones to deploy mode')
    scope = cfg.get('default_scope')
    if scope not in TASK_INFERENCE:
        raise ConfigCheckError(
            f'predictions of {sorted(TASK_INFERENCE)} configs are drawn; '
            f'{config} has default_scope {scope!r}')
    TASK_INFERENCE[scope](config, inputs, settings)
    return osp.join(settings.out_dir, 'vis')
