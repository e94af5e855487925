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

An exported checkpoint (an ``.onnx`` of ``tools/export_onnx.py`` or
``tools/quantize.py``, run in ONNX Runtime or OpenVINO; an OpenVINO IR
``.xml`` of ``tools/quantize.py``) runs through the same inferencers: the
config's model becomes an ``OnnxModel`` (as in ``tools/test.py``), and the
class names and palette come from the file (stored from the checkpoint at
export) or else from the config's test dataset.
"""
import json
import os
import os.path as osp
import warnings
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmengine.utils import scandir

from mmmoga.checkpoint import (
    check_against_model,
    checkpoint_problem,
    load_checkpoint_file,
)
from mmmoga.engine import quiet_current_logger
from mmmoga.errors import (
    CheckpointError,
    CheckpointLayoutError,
    ConfigCheckError,
)
from mmmoga.models import reparameterize_model
from mmmoga.tasks import TASKS_BY_SCOPE
from mmmoga.utils import tracked
from mmmoga.visualization import use_readable_visualizer

from .config import load_config, test_dataset_meta
from .config_checks import check_backbone
from .reparameterization import require_moganet
from .testing import use_exported_model

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
    allow_partial: bool = False
    # runtime of an exported checkpoint (default: the file's own)
    backend: Optional[str] = None
    top_classes: int = 5  # classes listed beside a classified image

    @property
    def is_exported(self) -> bool:
        """Whether the checkpoint is an exported model (.onnx, or an
        OpenVINO IR .xml)."""
        from mmmoga.runtime import is_exported
        return is_exported(self.checkpoint)


class InputImages(NamedTuple):
    """The inputs of :func:`infer`, sorted out.

    Attributes:
        images: Image files that decode, folders expanded in sorted order.
        not_images: Files without an image suffix, left out.
        unreadable: (image file, why) of the image files that do not
            decode, left out.
    """
    images: List[str]
    not_images: List[str]
    unreadable: List[Tuple[str, str]]


def _decode_problem(path: str) -> Optional[str]:
    """Why the image file ``path`` cannot be decoded, or None."""
    try:
        image = mmcv.imread(path)
    except Exception as error:  # the decoders' error classes share no base
        return str(error).splitlines()[0] if str(error) else \
            type(error).__name__
    return 'not a decodable image' if image is None else None


def input_images(inputs: Sequence[str]) -> InputImages:
    """Sorts image files and folders (searched recursively) into images,
    files that are not images and images that do not decode."""
    files = []
    for source in inputs:
        if osp.isdir(source):
            files += [osp.join(source, name)
                      for name in sorted(scandir(source, recursive=True))]
        else:
            files.append(source)
    images, not_images, unreadable = [], [], []
    for path in files:
        if not path.lower().endswith(IMAGE_SUFFIXES):
            not_images.append(path)
            continue
        problem = _decode_problem(path)
        if problem is None:
            images.append(path)
        else:
            unreadable.append((path, problem))
    return InputImages(images, not_images, unreadable)


def _output_dirs(out_dir: str):
    """``out_dir/vis`` and ``out_dir/pred``, created."""
    vis_dir, pred_dir = osp.join(out_dir, 'vis'), osp.join(out_dir, 'pred')
    for folder in (vis_dir, pred_dir):
        os.makedirs(folder, exist_ok=True)
    return vis_dir, pred_dir


def _prepare(model, config: str, settings: InferenceSettings,
             onnx_cfg=None):
    """Checks that the checkpoint filled the model an inferencer built (the
    inferencers load non-strictly, with a warning), then switches to deploy
    mode if asked to. An exported model has no weights to check; given the
    config it was built from (``onnx_cfg``, what :func:`_inferencer_model`
    returned), it gets its classes and palette (:func:`onnx_dataset_meta`)
    in place of the inferencer's default ones."""
    if settings.is_exported:
        if onnx_cfg is not None:
            model.dataset_meta = onnx_dataset_meta(onnx_cfg,
                                                   settings.checkpoint)
        return
    checkpoint = load_checkpoint_file(settings.checkpoint)
    try:
        check_against_model(
            checkpoint.get('state_dict', checkpoint), model.state_dict(),
            target=f'the model of {config}', listed=3,
            weights_name=f'the weights of {settings.checkpoint}')
    except CheckpointLayoutError as error:
        if not settings.allow_partial:
            raise CheckpointLayoutError(
                f'{error}; pass --allow-partial to go on with the tensors '
                'that fit') from None
        print(f'warning: {error}; drawing with the tensors that fit',
              flush=True)
    if settings.deploy:
        reparameterize_model(model)


def onnx_dataset_meta(cfg, model_file: str) -> dict:
    """The classes and palette an exported model draws with: those stored in
    the file at export, or else the config's test dataset's
    (:func:`test_dataset_meta`)."""
    from mmmoga.runtime import DRAWING_META, stored_dataset_meta
    stored = stored_dataset_meta(model_file)
    if stored is not None:
        return stored
    meta = test_dataset_meta(cfg)
    return {key: meta[key] for key in DRAWING_META if key in meta}


def _inferencer_model(config: str, settings: InferenceSettings):
    """What an inferencer is built from: the config, drawing with the
    readable version of its visualizer (:func:`use_readable_visualizer`),
    and the checkpoint; for an exported model the config's model is an
    ``OnnxModel`` and there are no weights."""
    cfg = load_config(config)
    use_readable_visualizer(cfg)
    if not settings.is_exported:
        return cfg, settings.checkpoint
    use_exported_model(cfg, settings.checkpoint, settings.backend)
    return cfg, None


def _build_inferencer(build: Callable, settings: InferenceSettings):
    """``build()``, without the inferencers' warnings that an exported model
    has no weights (its dataset meta is set by :func:`_prepare`)."""
    if not settings.is_exported:
        inferencer = build()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            inferencer = build()
    # One bar over all the images (infer) instead of one per image; the
    # inferencers built on MMEngine's read this on each call.
    inferencer.show_progress = False
    return inferencer


def infer_detection(config: str, images: List[str],
                     settings: InferenceSettings):
    from mmdet.apis import DetInferencer
    model, weights = _inferencer_model(config, settings)
    inferencer = _build_inferencer(lambda: DetInferencer(
        model=model, weights=weights, device=settings.device), settings)
    _prepare(inferencer.model, config, settings, onnx_cfg=model)
    # DetInferencer gave its visualizer the model's meta when built.
    inferencer.visualizer.dataset_meta = inferencer.model.dataset_meta
    for path in tracked(images, 'drawing'):
        inferencer(path, out_dir=settings.out_dir,
                   pred_score_thr=settings.score_thr, no_save_pred=False)


def infer_segmentation(config: str, images: List[str],
                        settings: InferenceSettings):
    from mmseg.apis import MMSegInferencer
    model, weights = _inferencer_model(config, settings)
    inferencer = _build_inferencer(lambda: MMSegInferencer(
        model=model, weights=weights, device=settings.device), settings)
    _prepare(inferencer.model, config, settings, onnx_cfg=model)
    vis_dir, pred_dir = _output_dirs(settings.out_dir)
    # 8-bit PNGs hold class indices up to 255; more classes need 16 bits.
    num_classes = len(inferencer.model.dataset_meta['classes'])
    label_dtype = np.uint8 if num_classes <= 256 else np.uint16
    for path in tracked(images, 'drawing'):
        # The inferencer sets its visualizer's opacity to this on each call.
        result = inferencer(path, return_vis=True,
                            opacity=inferencer.visualizer.alpha)
        stem = osp.splitext(osp.basename(path))[0]
        mmcv.imwrite(result['visualization'][..., ::-1],
                     osp.join(vis_dir, stem + '.png'))
        mmcv.imwrite(result['predictions'].astype(label_dtype),
                     osp.join(pred_dir, stem + '.png'))


def infer_pose(config: str, images: List[str],
                settings: InferenceSettings):
    from mmmoga.visualization import PoseDrawer
    model, weights = _inferencer_model(config, settings)
    drawer = _build_inferencer(lambda: PoseDrawer(
        model, weights, device=settings.device), settings)
    # An exported pose model keeps the keypoint meta the drawer read from
    # the config, as mmpose's init_model reads it.
    _prepare(drawer.model, config, settings)
    drawer.draw_all(images, settings.out_dir,
                    settings.person_boxes, settings.kpt_thr)


def infer_classification(config: str, images: List[str],
                          settings: InferenceSettings):
    from mmpretrain.apis import ImageClassificationInferencer

    from mmmoga.visualization.cls_drawing import ReadableUniversalVisualizer
    model, weights = _inferencer_model(config, settings)
    inferencer = _build_inferencer(lambda: ImageClassificationInferencer(
        model=model, pretrained=weights or False, device=settings.device),
        settings)
    _prepare(inferencer.model, config, settings, onnx_cfg=model)
    if settings.is_exported:
        inferencer.classes = inferencer.model.dataset_meta.get('classes')
    # The inferencer's own drawing writes the class over the image; ours
    # lists the best classes beside it.
    visualizer = ReadableUniversalVisualizer(name=f'infer_{id(inferencer)}')
    vis_dir, pred_dir = _output_dirs(settings.out_dir)
    # MMPretrain's inferencer draws a bar on each call unless its module's
    # switch is off (it has no setting); ours counts all the images.
    from mmpretrain.utils import progress as mmpretrain_progress
    bar_was_off = mmpretrain_progress.disable_progress_bar
    mmpretrain_progress.disable_progress_bar = True
    try:
        for path in tracked(images, 'drawing'):
            (result, ) = inferencer(path)
            stem = osp.splitext(osp.basename(path))[0]
            drawn = visualizer.draw_top_classes(
                mmcv.imread(path, channel_order='rgb'), result['pred_scores'],
                inferencer.classes, top=settings.top_classes)
            mmcv.imwrite(drawn[..., ::-1], osp.join(vis_dir, stem + '.png'))
            with open(osp.join(pred_dir, stem + '.json'), 'w') as f:
                json.dump(dict(result,
                               pred_scores=result['pred_scores'].tolist()), f)
    finally:
        mmpretrain_progress.disable_progress_bar = bar_was_off


def infer(config: str, inputs: Sequence[str],
          settings: InferenceSettings) -> InputImages:
    """Draws the predictions of ``config``'s model with the weights of
    ``settings.checkpoint`` on ``inputs`` (image files or folders) into
    ``settings.out_dir/vis``. Files that are not images and images that do
    not decode are left out; what was drawn and left out is returned.

    Raises:
        ConfigCheckError: An input does not exist, or none is an image that
            decodes.
    """
    for path in [config, *inputs]:
        if not osp.exists(path):
            raise ConfigCheckError(f'{path} does not exist')
    if settings.is_exported:
        if not osp.isfile(settings.checkpoint):
            raise CheckpointError(
                f'exported model {settings.checkpoint} does not exist')
        if settings.deploy or settings.allow_partial:
            raise ConfigCheckError(
                f'--{"deploy" if settings.deploy else "allow-partial"} '
                f'applies to PyTorch checkpoints; {settings.checkpoint} is '
                'an exported model (in deploy mode)')
    else:
        if settings.backend is not None:
            raise ConfigCheckError(
                f'--backend {settings.backend} runs exported models (.onnx, '
                f'.xml); '
                f'{settings.checkpoint} is a PyTorch checkpoint')
        problem = checkpoint_problem(settings.checkpoint)
        if problem is not None:
            raise CheckpointError(
                f'checkpoint {settings.checkpoint}: {problem}')
    cfg = load_config(config)
    check_backbone(cfg)
    if settings.deploy:
        require_moganet(
            cfg, '--deploy switches MogaNet backbones to deploy mode')
    scope = cfg.get('default_scope')
    if scope not in TASKS_BY_SCOPE:
        raise ConfigCheckError(
            f'predictions of {sorted(TASKS_BY_SCOPE)} configs are drawn; '
            f'{config} has default_scope {scope!r}')
    found = input_images(inputs)
    if not found.images:
        raise ConfigCheckError(
            f'no image to draw on in {", ".join(inputs)} '
            f'({len(found.not_images)} files that are not images, '
            f'{len(found.unreadable)} images that do not decode)')
    quiet_current_logger()
    # The task's function: infer_detection, infer_segmentation, ...
    TASKS_BY_SCOPE[scope].load('inference')(config, found.images, settings)
    return found
