"""One picture in, its predictions drawn and listed: what still images
(:mod:`.images`), videos (:mod:`.video`), sliced large images
(:mod:`.slicing`) and the web page (``tools/app.py``) share, one class per
task (the ``predictor`` of the task's row in :mod:`mmmoga.tasks`).

A predictor is built once from a config and :class:`InferenceSettings`
(weights or an exported model) and called on decoded images (BGR, as OpenCV
and mmcv read them). Each task runs its library's own code:

* detection: MMDetection's ``DetInferencer``;
* segmentation: MMSegmentation's ``MMSegInferencer``;
* pose (top-down): MMPose's ``inference_topdown`` in the people's boxes,
  which come from a box file, from a person detector run first
  (:class:`PersonDetector`, as MMPose's inferencer does with its
  ``det_model``), or else are the whole image;
* classification: MMPretrain's ``ImageClassificationInferencer``.

The inferencers draw an image handed in as an array without turning BGR
into RGB (their own drawing reads files as RGB and takes arrays as they
come), so the predictors run the inferencers for the predictions only and
draw them with the inferencer's visualizer themselves.
"""
import os.path as osp
import warnings
from typing import (
    Callable,
    Dict,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Union,
)

import numpy as np

from mmmoga.checkpoint import (
    check_against_model,
    checkpoint_problem,
    load_checkpoint_file,
)
from mmmoga.errors import (
    CheckpointError,
    CheckpointLayoutError,
    ConfigCheckError,
)
from mmmoga.models import reparameterize_model
from mmmoga.visualization import use_readable_visualizer

from ..run.config import load_config, test_dataset_meta
from ..run.config_checks import check_person_detector
from ..run.testing import use_exported_model

# Detections scoring below this are not drawn: at mmdet's default (0.3) most
# toy objects carry a second, wrong-class box.
DEFAULT_SCORE_THR = 0.5
# A person detector's boxes that the pose model reads: MMPose's inferencer
# defaults (score above 0.3, NMS at IoU 0.3 among the people).
DEFAULT_PERSON_SCORE_THR = 0.3
PERSON_NMS_THR = 0.3


class InferenceSettings(NamedTuple):
    """How a predictor is built and what it draws, besides the config."""
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
    # pose: a detector finds the people first (its config and weights, the
    # class index that is a person, the lowest score of a person box)
    det_config: Optional[str] = None
    det_checkpoint: Optional[str] = None
    det_cat_id: int = 0
    det_score_thr: float = DEFAULT_PERSON_SCORE_THR
    # detection: tiles of this size (pixels), overlapping by this fraction
    slice_size: Optional[int] = None
    slice_overlap: float = 0.2

    @property
    def is_exported(self) -> bool:
        """Whether the checkpoint is an exported model (.onnx, or an
        OpenVINO IR .xml)."""
        from mmmoga.runtime import is_exported
        return is_exported(self.checkpoint)


class Prediction(NamedTuple):
    """What a predictor found in one image.

    Attributes:
        drawn: The image with the predictions drawn (RGB).
        rows: The predictions as table rows (column -> value), as the web
            page lists them.
        record: What is saved for the image: JSON-able (``.json``), or a
            label map (segmentation: ``.png``, one class index per pixel).
    """
    drawn: np.ndarray
    rows: List[Dict[str, object]]
    record: Union[dict, list, np.ndarray]


def check_checkpoint(settings: InferenceSettings):
    """The checkpoint exists and suits the settings, or one line why not."""
    if settings.is_exported:
        if not osp.isfile(settings.checkpoint):
            raise CheckpointError(
                f'exported model {settings.checkpoint} does not exist')
        if settings.deploy or settings.allow_partial:
            raise ConfigCheckError(
                f'--{"deploy" if settings.deploy else "allow-partial"} '
                f'applies to PyTorch checkpoints; {settings.checkpoint} is '
                'an exported model (in deploy mode)')
        return
    if settings.backend is not None:
        raise ConfigCheckError(
            f'--backend {settings.backend} runs exported models (.onnx, '
            f'.xml); {settings.checkpoint} is a PyTorch checkpoint')
    problem = checkpoint_problem(settings.checkpoint)
    if problem is not None:
        raise CheckpointError(f'checkpoint {settings.checkpoint}: {problem}')


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
    # The callers count the images; the inferencers built on MMEngine read
    # this on each call.
    inferencer.show_progress = False
    return inferencer


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


def _library_inferencer(config: str, settings: InferenceSettings,
                        build: Callable):
    """The library inferencer ``build(cfg, weights)`` makes for ``config``
    (:func:`_inferencer_model`), its weights checked (:func:`_prepare`)."""
    cfg, weights = _inferencer_model(config, settings)
    inferencer = _build_inferencer(lambda: build(cfg, weights), settings)
    _prepare(inferencer.model, config, settings, onnx_cfg=cfg)
    return inferencer


def _box_row(box: Sequence[float]) -> Dict[str, float]:
    x1, y1, x2, y2 = (round(float(v), 1) for v in box)
    return dict(x1=x1, y1=y1, x2=x2, y2=y2)


class Predictor:
    """Predictions of one config's model, one image at a time.

    Subclasses set ``task`` (a row name of :mod:`mmmoga.tasks`) and
    ``record_suffix``, build their model in ``__init__`` and implement
    :meth:`__call__`."""
    task = ''
    record_suffix = '.json'

    def __call__(self, image: np.ndarray, name: str = '') -> Prediction:
        """The predictions in ``image`` (BGR, H x W x 3), drawn and listed;
        ``name`` is the image file's name, where it came from one."""
        raise NotImplementedError

    @property
    def class_names(self) -> Sequence[str]:
        return self.model.dataset_meta.get('classes') or ()

    def class_name(self, index: int) -> str:
        names = self.class_names
        return names[index] if 0 <= index < len(names) else str(index)


class DetectionPredictor(Predictor):
    task = 'det'

    def __init__(self, config: str, settings: InferenceSettings):
        from mmdet.apis import DetInferencer
        self.inferencer = _library_inferencer(
            config, settings, lambda cfg, weights: DetInferencer(
                model=cfg, weights=weights, device=settings.device))
        self.model = self.inferencer.model
        self.visualizer = self.inferencer.visualizer
        # DetInferencer gave its visualizer the model's meta when built.
        self.visualizer.dataset_meta = self.model.dataset_meta
        self.score_thr = settings.score_thr

    def detect(self, image: np.ndarray):
        """The model's ``DetDataSample`` for ``image`` (BGR)."""
        (sample, ) = self.inferencer(
            image, return_datasamples=True)['predictions']
        return sample

    def __call__(self, image: np.ndarray, name: str = '') -> Prediction:
        return self.prediction(image, self.detect(image))

    def prediction(self, image: np.ndarray, sample) -> Prediction:
        """``sample`` (predictions in ``image``) drawn and listed; every
        prediction is saved, those scoring ``score_thr`` or more are drawn
        and listed."""
        self.visualizer.add_datasample(
            'image', np.ascontiguousarray(image[..., ::-1]), sample,
            draw_gt=False, pred_score_thr=self.score_thr)
        instances = sample.pred_instances.cpu()
        rows = [
            dict(label=self.class_name(int(label)),
                 score=round(float(score), 3), **_box_row(box))
            for box, score, label in zip(instances.bboxes.numpy(),
                                         instances.scores.numpy(),
                                         instances.labels.numpy())
            if score >= self.score_thr
        ]
        rows.sort(key=lambda row: -row['score'])
        return Prediction(self.visualizer.get_image(), rows,
                          self.inferencer.pred2dict(sample))


class SegmentationPredictor(Predictor):
    task = 'seg'
    record_suffix = '.png'

    def __init__(self, config: str, settings: InferenceSettings):
        from mmseg.apis import MMSegInferencer
        self.inferencer = _library_inferencer(
            config, settings, lambda cfg, weights: MMSegInferencer(
                model=cfg, weights=weights, device=settings.device))
        self.model = self.inferencer.model
        self.visualizer = self.inferencer.visualizer
        self.visualizer.set_dataset_meta(
            classes=self.model.dataset_meta['classes'],
            palette=self.model.dataset_meta['palette'])
        # 8-bit PNGs hold class indices up to 255; more classes need 16.
        self.label_dtype = np.uint8 if len(self.class_names) <= 256 \
            else np.uint16

    def __call__(self, image: np.ndarray, name: str = '') -> Prediction:
        sample = self.inferencer(image, return_datasamples=True)
        self.visualizer.add_datasample(
            'image', np.ascontiguousarray(image[..., ::-1]), sample,
            draw_gt=False, draw_pred=True)
        label_map = sample.pred_sem_seg.data[0].cpu().numpy()
        labels, counts = np.unique(label_map, return_counts=True)
        rows = [
            dict(label=self.class_name(int(label)),
                 area_percent=round(100. * count / label_map.size, 2))
            for label, count in sorted(zip(labels, counts),
                                       key=lambda pair: -pair[1])
        ]
        return Prediction(self.visualizer.get_image(), rows,
                          label_map.astype(self.label_dtype))


class PersonDetector:
    """A detector that finds the people a top-down pose model reads, as
    MMPose's inferencer does with its ``det_model``: the boxes of class
    ``settings.det_cat_id`` scoring above ``settings.det_score_thr``, after
    NMS among them at IoU :data:`PERSON_NMS_THR`."""

    def __init__(self, settings: InferenceSettings):
        self.detector = DetectionPredictor(
            settings.det_config,
            InferenceSettings(checkpoint=settings.det_checkpoint,
                              device=settings.device,
                              score_thr=settings.det_score_thr))
        self.cat_id = settings.det_cat_id
        self.score_thr = settings.det_score_thr

    def __call__(self, image: np.ndarray) -> np.ndarray:
        """(N, 5) person boxes (x1, y1, x2, y2, score) in ``image`` (BGR),
        best first."""
        from mmpose.evaluation.functional import nms
        instances = self.detector.detect(image).pred_instances.cpu().numpy()
        boxes = np.concatenate(
            [instances.bboxes, instances.scores[:, None]], axis=1)
        boxes = boxes[(instances.labels == self.cat_id) &
                      (instances.scores > self.score_thr)]
        boxes = boxes[nms(boxes, PERSON_NMS_THR)] if len(boxes) else boxes
        return boxes[np.argsort(-boxes[:, 4])].astype(np.float32)


class PosePredictor(Predictor):
    task = 'pose'

    def __init__(self, config: str, settings: InferenceSettings):
        from mmmoga.visualization import PoseDrawer
        cfg, weights = _inferencer_model(config, settings)
        self.drawer = _build_inferencer(lambda: PoseDrawer(
            cfg, weights, device=settings.device), settings)
        self.model = self.drawer.model
        # An exported pose model keeps the keypoint meta the drawer read
        # from the config, as mmpose's init_model reads it.
        _prepare(self.model, config, settings)
        self.person_boxes = settings.person_boxes
        self.detector = (PersonDetector(settings)
                         if settings.det_config is not None else None)
        self.kpt_thr = settings.kpt_thr

    def boxes(self, image: np.ndarray, name: str) -> Optional[np.ndarray]:
        """The people's boxes in ``image``: (N, 4) or, from a detector,
        (N, 5) with scores; None for the whole image."""
        if self.detector is not None:
            return self.detector(image)
        if self.person_boxes is not None:
            return self.person_boxes.get(name)
        return None

    def __call__(self, image: np.ndarray, name: str = '') -> Prediction:
        from mmmoga.visualization import people_json
        boxes = self.boxes(image, name)
        if boxes is not None and len(boxes) == 0 and \
                self.detector is not None:
            # MMPose would take the whole image for one person.
            sample = None
        else:
            sample = self.drawer.estimate(image, boxes)
        rgb = np.ascontiguousarray(image[..., ::-1])
        if sample is None:
            return Prediction(rgb, [], [])
        drawn = self.drawer.drawn(rgb, sample, self.kpt_thr)
        people = people_json(sample.pred_instances)
        rows = []
        for index, person in enumerate(people):
            scores = np.asarray(person['keypoint_scores'])
            rows.append(dict(
                person=index + 1,
                box_score=round(person.get('bbox_score', 1.), 3),
                keypoints_found=int((scores >= self.kpt_thr).sum()),
                mean_keypoint_score=round(float(scores.mean()), 3),
                **_box_row(person['bbox'])))
        return Prediction(drawn, rows, people)


class ClassificationPredictor(Predictor):
    task = 'cls'

    def __init__(self, config: str, settings: InferenceSettings):
        from mmpretrain.apis import ImageClassificationInferencer

        from mmmoga.visualization.cls_drawing import (
            ReadableUniversalVisualizer,
        )
        self.inferencer = _library_inferencer(
            config, settings,
            lambda cfg, weights: ImageClassificationInferencer(
                model=cfg, pretrained=weights or False,
                device=settings.device))
        self.model = self.inferencer.model
        if settings.is_exported:
            self.inferencer.classes = self.model.dataset_meta.get('classes')
        # The inferencer's own drawing writes the class over the image;
        # ours lists the best classes beside it.
        self.visualizer = ReadableUniversalVisualizer(
            name=f'predictor_{id(self)}')
        self.top = settings.top_classes

    @property
    def class_names(self) -> Sequence[str]:
        return self.inferencer.classes or ()

    def __call__(self, image: np.ndarray, name: str = '') -> Prediction:
        # MMPretrain's inferencer draws a bar on each call unless its
        # module's switch is off (it has no setting); the callers count.
        from mmpretrain.utils import progress as mmpretrain_progress
        bar_was_off = mmpretrain_progress.disable_progress_bar
        mmpretrain_progress.disable_progress_bar = True
        try:
            (result, ) = self.inferencer(image)
        finally:
            mmpretrain_progress.disable_progress_bar = bar_was_off
        scores = result['pred_scores']
        drawn = self.visualizer.draw_top_classes(
            np.ascontiguousarray(image[..., ::-1]), scores,
            self.inferencer.classes, top=self.top)
        rows = [dict(label=self.class_name(int(index)),
                     score=round(float(scores[index]), 4))
                for index in np.argsort(-scores)[:self.top]]
        return Prediction(drawn, rows,
                          dict(result, pred_scores=scores.tolist()))


def checked_task(config: str, settings: InferenceSettings):
    """The task (:mod:`mmmoga.tasks` row) whose predictor draws for
    ``config`` with ``settings``, once the files and settings are checked
    (nothing is built).

    Raises:
        ConfigCheckError: The config is missing or not of a task served, or
            the settings do not fit it.
        CheckpointError: The checkpoint is missing or unreadable.
    """
    from mmmoga.tasks import TASKS_BY_SCOPE

    from ..run.config_checks import check_backbone
    from ..run.reparameterization import require_moganet
    if not osp.exists(config):
        raise ConfigCheckError(f'{config} does not exist')
    check_checkpoint(settings)
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
    task = TASKS_BY_SCOPE[scope]
    if settings.det_config is not None:
        if task.name != 'pose':
            raise ConfigCheckError(
                f'--det-config finds people for top-down pose models; '
                f'{config} is a {task.library} config')
        if settings.person_boxes is not None:
            raise ConfigCheckError(
                '--det-config and --bboxes both say where the people are; '
                'give one')
        _check_detector(settings)
    if settings.slice_size is not None:
        if task.name != 'det':
            raise ConfigCheckError(
                f'--slice tiles images for detectors; {config} is a '
                f'{task.library} config')
        if settings.slice_size < 32:
            raise ConfigCheckError(
                f'--slice {settings.slice_size}: tiles of at least 32 '
                'pixels')
        if not 0 <= settings.slice_overlap < 1:
            raise ConfigCheckError(
                f'--overlap {settings.slice_overlap}: a fraction of the '
                'tile, from 0 up to (not including) 1')
    return task


def build_predictor(config: str, settings: InferenceSettings) -> Predictor:
    """The predictor of ``config``'s task (:func:`checked_task`); with
    ``settings.slice_size``, one that tiles (:mod:`.slicing`)."""
    predictor = checked_task(config, settings).load('predictor')(
        config, settings)
    if settings.slice_size is not None:
        from .slicing import SlicedPredictor
        predictor = SlicedPredictor(predictor, settings.slice_size,
                                    settings.slice_overlap)
    return predictor


def _check_detector(settings: InferenceSettings):
    """The person detector's config and checkpoint exist and are
    MMDetection's, or one line why not."""
    if settings.det_checkpoint is None:
        raise ConfigCheckError('--det-config needs --det-checkpoint')
    if not osp.exists(settings.det_config):
        raise ConfigCheckError(f'{settings.det_config} does not exist')
    problem = checkpoint_problem(settings.det_checkpoint)
    if problem is not None:
        raise CheckpointError(
            f'detector checkpoint {settings.det_checkpoint}: {problem}')
    check_person_detector(load_config(settings.det_config),
                          settings.det_cat_id,
                          f'--det-config {settings.det_config}',
                          '--det-cat-id')
