"""The tasks mmmoga serves, one row each: every place that treats the tasks
differently reads its row here instead of keeping a dictionary of its own.

A row names the code that serves its task in the rooms above (inference,
export graph, own-data planner) as ``'module:attribute'`` strings, loaded
on first use (:meth:`Task.load`): the table sits at the bottom of the
package and imports nothing above it. Adding a task means adding a row
here and writing the modules the row names (``docs/architecture.md``).
"""
import importlib
from typing import Dict, NamedTuple, Optional, Tuple

from mmmoga.errors import ConfigCheckError


class VisualizationHook(NamedTuple):
    """How a library's visualization hook is told to draw every test
    prediction: ``type`` in ``default_hooks.visualization``, the ``switch``
    that turns drawing on, the key of its output directory (None: it saves
    through the visualizer, whose ``save_dir`` becomes the directory),
    whether the hook puts that directory under ``WORK_DIR/<timestamp>/``
    (else it is used as given), other settings it needs, and whether its
    pictures put the ground truth (left) beside the prediction (right)."""
    type: str
    switch: str
    out_dir_key: Optional[str]
    in_run_folder: bool
    settings: Dict
    side_by_side: bool


class Task(NamedTuple):
    """One task.

    Attributes:
        name: Short name: the config folder (``configs/<name>/``), the
            metafiles' and the zoo tables' task.
        scope: The library's registry scope, the configs' ``default_scope``.
        library: The library's name, for messages.
        title: The zoo table's heading.
        metrics: Metafile metric name -> (key the library's evaluator logs,
            factor to percent), the table's main metrics first.
        num_main_metrics: How many of ``metrics`` the tables show.
        data_hint: What to do when the dataset's files are missing.
        input_order: How the task's tables write an input size.
        count_size: Width, height of the image the official tables counted
            FLOPs at, or None where the config's own size (codec input,
            test crop) is used.
        visualization_hook: How the library's hook draws test predictions.
        predictor: The class that predicts and draws on one image at a
            time (``tools/infer.py``, ``tools/app.py``): built from
            ``(config, settings)``.
        inferencer: The library's inferencer class
            (``mmmoga.get_inferencer``).
        graph: The function that wraps a built model into the module that
            exports to ONNX: ``(cfg, model)``.
        planner: The module that plans a config for one's own data
            (``tools/dataset_config.py``): its ``DEFAULT_LAYOUT``,
            ``OPTIONS`` and ``plan``.
        install: What to install where the library does not import.
    """
    name: str
    scope: str
    library: str
    title: str
    metrics: Dict[str, Tuple[str, float]]
    num_main_metrics: int
    data_hint: str
    input_order: str
    count_size: Optional[Tuple[int, int]]
    visualization_hook: VisualizationHook
    predictor: str
    inferencer: str
    graph: str
    planner: str
    install: str

    @property
    def main_metrics(self) -> Tuple[str, ...]:
        """The metafile metric names the tables show, in order."""
        return tuple(self.metrics)[:self.num_main_metrics]

    @property
    def config_dir(self) -> str:
        """The task's config folder, relative to the repository."""
        return f'configs/{self.name}'

    def check_library(self):
        """Imports the task's library (its scope is its import name); where
        it is missing or refuses this environment, a
        :class:`ConfigCheckError` says why and what to install. MMPose 1.3.2
        asserts mmcv < 2.2.0 when imported, which the OneDL stack's mmcv
        2.3.6 is not."""
        try:
            importlib.import_module(self.scope)
        except (ImportError, AssertionError) as error:
            reason = str(error).strip().splitlines()[0] if str(error) else \
                type(error).__name__
            raise ConfigCheckError(
                f'{self.name} configs need {self.library} ({self.scope}), '
                f'which does not import here ({reason.rstrip(".")}). '
                f'{self.install}') from None

    def load(self, field: str):
        """The object a ``'module:attribute'`` field names, imported now;
        a field naming a module alone gives the module."""
        module_name, _, attribute = getattr(self, field).partition(':')
        module = importlib.import_module(module_name)
        return getattr(module, attribute) if attribute else module


# Pose and classification name inputs height x width, the dense tasks
# width x height, as their official tables do.
TASKS: Dict[str, Task] = {
    task.name: task
    for task in (
        Task(
            name='det',
            scope='mmdet',
            library='MMDetection',
            title='Object detection and instance segmentation, COCO',
            metrics={
                'box AP': ('coco/bbox_mAP', 100),
                'mask AP': ('coco/segm_mAP', 100)
            },
            num_main_metrics=2,
            data_hint=(
                'Download COCO 2017 into data/coco/ (see MMDetection\'s '
                '"Prepare datasets" guide), or generate the toy dataset with '
                '`python tools/make_toy_data.py det --out data/toy_coco` and '
                'use a config from configs/det/toy/.'),
            input_order='width x height',
            count_size=(1280, 800),
            visualization_hook=VisualizationHook(
                'DetVisualizationHook', 'draw', 'test_out_dir', True, {},
                side_by_side=True),
            predictor='mmmoga.apis.pictures.predictors:DetectionPredictor',
            inferencer='mmdet.apis:DetInferencer',
            graph='mmmoga.apis.export.detector:detection_graph',
            planner='mmmoga.apis.dataset_config.det',
            install=('Install it: pip install "mmmoga[det]" (beside the OneDL '
                     'forks: "mmmoga[onedl-det]").')),
        Task(
            name='seg',
            scope='mmseg',
            library='MMSegmentation',
            title='Semantic segmentation, ADE20K',
            metrics={
                'mIoU': ('mIoU', 1),
                'mAcc': ('mAcc', 1)
            },
            num_main_metrics=2,
            data_hint=(
                'Download ADE20K (ADEChallengeData2016) into data/ade/ (see '
                'the ADE20K section of MMSegmentation\'s "Prepare datasets" '
                'guide, https://mmsegmentation.readthedocs.io/en/latest/'
                'user_guides/2_dataset_prepare.html#ade20k), or generate the '
                'toy dataset with `python tools/make_toy_data.py seg --out '
                'data/toy_ade` and use a config from configs/seg/toy/.'),
            input_order='width x height',
            count_size=(2048, 512),
            # mmseg's hook draws only every `interval`-th image unless told
            # otherwise.
            visualization_hook=VisualizationHook(
                'SegVisualizationHook', 'draw', None, False, {'interval': 1},
                side_by_side=True),
            predictor='mmmoga.apis.pictures.predictors:SegmentationPredictor',
            inferencer='mmseg.apis:MMSegInferencer',
            graph='mmmoga.apis.export.segmentor:segmentor_graph',
            planner='mmmoga.apis.dataset_config.seg',
            install=('Install it: pip install "mmmoga[seg]" (beside the OneDL '
                     'forks: "mmmoga[onedl-seg]").')),
        Task(
            name='pose',
            scope='mmpose',
            library='MMPose',
            title='Top-down pose estimation, COCO',
            metrics={
                'AP': ('coco/AP', 100),
                'AR': ('coco/AR', 100),
                'AP@0.5': ('coco/AP .5', 100),
                'AP@0.75': ('coco/AP .75', 100)
            },
            num_main_metrics=2,
            data_hint=(
                'Download COCO 2017 with its person keypoint annotations '
                'into data/coco/ (see the COCO section of MMPose\'s 2D body '
                'keypoint dataset guide, https://mmpose.readthedocs.io/en/'
                'latest/dataset_zoo/2d_body_keypoint.html#coco), or generate '
                'the toy dataset with `python tools/make_toy_data.py pose '
                '--out data/toy_coco_pose` and use a config from '
                'configs/pose/toy/.'),
            input_order='height x width',
            count_size=None,
            visualization_hook=VisualizationHook(
                'PoseVisualizationHook', 'enable', 'out_dir', True, {},
                side_by_side=False),
            predictor='mmmoga.apis.pictures.predictors:PosePredictor',
            inferencer='mmpose.apis:MMPoseInferencer',
            graph='mmmoga.apis.export.pose:pose_keypoints',
            planner='mmmoga.apis.dataset_config.pose',
            # No MMPose fork is published, and MMPose 1.3.2 refuses the
            # mmcv the forks need (docs/installation.md).
            install=('Pose runs on the default stack only (MMPose 1.3.2 '
                     'needs mmcv < 2.2.0, and OneDL publishes no MMPose): '
                     'make install, or pip install --no-deps mmpose==1.3.2 '
                     '"mmmoga[pose]" beside mmcv 2.1.0.')),
        Task(
            name='cls',
            scope='mmpretrain',
            library='MMPretrain',
            title='Image classification, ImageNet-1k',
            metrics={
                'Top 1 Accuracy': ('accuracy/top1', 1),
                'Top 5 Accuracy': ('accuracy/top5', 1)
            },
            num_main_metrics=2,
            data_hint=(
                'Download ImageNet-1K into data/imagenet/ (see the ImageNet '
                'section of MMPretrain\'s "Prepare Dataset" guide, '
                'https://mmpretrain.readthedocs.io/en/latest/user_guides/'
                'dataset_prepare.html#imagenet), or generate the toy dataset '
                'with `python tools/make_toy_data.py cls --out data/toy_cls` '
                'and use a config from configs/cls/toy/.'),
            input_order='height x width',
            count_size=None,
            # mmpretrain's hook draws every 5000th image unless told
            # otherwise, into its output directory as given.
            visualization_hook=VisualizationHook(
                'VisualizationHook', 'enable', 'out_dir', False,
                {'interval': 1},
                side_by_side=False),
            predictor='mmmoga.apis.pictures.predictors:ClassificationPredictor',
            inferencer='mmpretrain.apis:ImageClassificationInferencer',
            graph='mmmoga.apis.export.classifier:classifier_logits',
            planner='mmmoga.apis.dataset_config.cls',
            install=('Install it: pip install "mmmoga[cls]" (beside the OneDL '
                     'forks: "mmmoga[onedl-cls]").')),
    )
}
TASKS_BY_SCOPE: Dict[str, Task] = {task.scope: task for task in TASKS.values()}


def task_of(cfg) -> Task:
    """The task of a config, by its ``default_scope``; a config of another
    scope is a :class:`ConfigCheckError` naming the scopes served."""
    scope = cfg.get('default_scope')
    if scope not in TASKS_BY_SCOPE:
        filename = getattr(cfg, 'filename', None) or 'the config'
        raise ConfigCheckError(
            f'{filename}: default_scope {scope!r} is none of '
            f'{", ".join(TASKS_BY_SCOPE)}: start from a config of '
            'configs/<task>/')
    return TASKS_BY_SCOPE[scope]
