"""The toy demos: a MogaNet model learns a toy task from scratch on a CPU, is
tested with its library's metric reparameterized, and draws its predictions.

Steps: generate the toy dataset if it is missing, train with the task's toy
config, test on the val split while the library's visualization hook draws
every prediction (pose: the trained model draws all the people of each val
image afterwards), and report a results table.
"""
import copy
import json
import os
import os.path as osp
import time
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from mmengine.config import Config
from mmengine.runner import find_latest_checkpoint

from mmmoga.engine import build_runner
from mmmoga.toy_data import (
    write_toy_ade,
    write_toy_boxes,
    write_toy_cls,
    write_toy_coco,
    write_toy_coco_pose,
)

from ..dataset_config import DatasetOptions, write_dataset_config
from ..pictures import DEFAULT_SCORE_THR, InferenceSettings, infer
from ..run.config_checks import check_config
from ..run.testing import (
    caption_drawings,
    enable_amp_test,
    enable_reparameterized_test,
    enable_visualization,
)
from ..run.training import enable_amp


@dataclass(frozen=True)
class DemoTask:
    """What differs between the demos of the tasks.

    Attributes:
        title: One line naming the model and the data.
        config: The toy config trained and tested.
        data_root: Where the toy data lives; generated if a file of
            ``data_files`` (relative to it) is missing.
        write_data: Writes the toy data into ``data_root``.
        targets: Metric -> lowest accepted value, on the table's scale.
        reported: Metrics shown in the table, in order.
        metric_scale: Factor from the library's metric values to the
            table's (mmseg and mmpretrain report percentages; the table
            shows fractions).
        draws_people: The predictions are drawn after the test by
            :class:`~mmmoga.visualization.PoseDrawer` (MMPose's hook draws
            one person per image file) instead of by the test's
            visualization hook.
        own_data: The data is "the user's own": ``config`` is the base of
            a config that :func:`~mmmoga.apis.dataset_config.
            write_dataset_config` writes into the work dir for it, with
            these options, as a user would with tools/dataset_config.py.
        person_detector: Pose: a detector demo trained after the pose
            model (in ``WORK_DIR/person_detector``), whose people the pose
            model then reads: the pipeline's metrics are reported beside
            those in the ground-truth boxes, and the drawings show the
            people it found.
    """
    title: str
    config: str
    data_root: str
    data_files: Tuple[str, ...]
    write_data: Callable[[str], object]
    targets: Dict[str, float]
    reported: Tuple[str, ...]
    metric_scale: float
    draws_people: bool = False
    own_data: Optional[DatasetOptions] = None
    person_detector: Optional['DemoTask'] = None


# The toy pose set, which the pose demos and the person detector learn.
TOY_POSE_DATA = dict(
    data_root='data/toy_coco_pose',
    data_files=('annotations/person_keypoints_train.json',
                'annotations/person_keypoints_val.json'),
    write_data=write_toy_coco_pose)
# The pose demo's person detector learns the boxes of the toy pose set, from
# a config that tools/dataset_config.py writes for that set's annotations.
PERSON_DETECTOR_DEMO = DemoTask(
    title='Faster R-CNN + MogaNet-XT person detector, toy limb figures',
    config='configs/det/toy/faster_rcnn_moga_xt_toy.py',
    **TOY_POSE_DATA,
    targets={'coco/bbox_mAP': 0.50},
    reported=('coco/bbox_mAP', 'coco/bbox_mAP_50'),
    metric_scale=1.,
    own_data=DatasetOptions(
        train_ann='annotations/person_keypoints_train.json',
        val_ann='annotations/person_keypoints_val.json',
        train_img='train/', val_img='val/'))
# Keys of the person detector's metrics, and of the pose model's measured
# with the people the detector found.
DETECTOR_PREFIX = 'person detector: '
DETECTED_PREFIX = 'detected people: '


POSE_DEMO = DemoTask(
    title='top-down heatmap MogaNet-XT, toy limb figures (COCO)',
    config='configs/pose/toy/topdown_heatmap_moga_xt_toy.py',
    **TOY_POSE_DATA,
    targets={'coco/AP': 0.50, DETECTED_PREFIX + 'coco/AP': 0.40},
    # Every toy person is a COCO 'medium' one (area under 96^2): no
    # (M) / (L) split.
    reported=('coco/AP', 'coco/AP .5', 'coco/AP .75', 'coco/AR',
              'coco/AR .5'),
    metric_scale=1.,
    draws_people=True,
    person_detector=PERSON_DETECTOR_DEMO)

DEMOS = {
    'det': DemoTask(
        title='Mask R-CNN + MogaNet-XT, toy shapes (COCO)',
        config='configs/det/toy/mask_rcnn_moga_xt_toy.py',
        data_root='data/toy_coco',
        data_files=('annotations/instances_train.json',
                    'annotations/instances_val.json'),
        write_data=write_toy_coco,
        targets={'coco/bbox_mAP': 0.40, 'coco/segm_mAP': 0.35},
        reported=('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75',
                  'coco/segm_mAP', 'coco/segm_mAP_50', 'coco/segm_mAP_75'),
        metric_scale=1.),
    'det-boxes': DemoTask(
        title='Faster R-CNN + MogaNet-XT, toy boxes (own layout)',
        config='configs/det/toy/faster_rcnn_moga_xt_toy.py',
        data_root='data/toy_boxes',
        data_files=('labels/train.json', 'labels/val.json'),
        write_data=write_toy_boxes,
        targets={'coco/bbox_mAP': 0.40},
        reported=('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/bbox_mAP_75'),
        metric_scale=1.,
        own_data=DatasetOptions(
            train_ann='labels/train.json', val_ann='labels/val.json',
            train_img='pictures/train/', val_img='pictures/val/')),
    'seg': DemoTask(
        title='UperNet + MogaNet-XT, toy segmentation (ADE20K layout)',
        config='configs/seg/toy/upernet_moga_xt_toy.py',
        data_root='data/toy_ade',
        # The writer finishes a split with its last label map.
        data_files=('annotations/training/000399.png',
                    'annotations/validation/000079.png'),
        write_data=write_toy_ade,
        targets={'mIoU': 0.60},
        reported=('mIoU', 'mAcc', 'aAcc'),
        metric_scale=0.01),
    'pose': POSE_DEMO,
    # The same data, drawing and metrics.
    'pose-rtm': replace(
        POSE_DEMO,
        title='RTMPose-style MogaNet-XT (SimCC), toy limb figures (COCO)',
        config='configs/pose/toy/rtmpose_moga_xt_toy.py',
        targets={'coco/AP': 0.20},
        # `make demo-pose` shows the detector with the heatmap model.
        person_detector=None),
    'cls': DemoTask(
        title='MogaNet-XT classifier, toy shapes',
        config='configs/cls/toy/moganet_xt_toy.py',
        data_root='data/toy_cls',
        # The last image of each split (classes in turn: 1199 % 3 is 2).
        data_files=('train/triangle/triangle_001199.jpg',
                    'val/triangle/triangle_000239.jpg'),
        write_data=write_toy_cls,
        targets={'accuracy/top1': 0.90},
        reported=('accuracy/top1', ),
        metric_scale=0.01),
}


def ensure_toy_data(demo: DemoTask):
    """Generates the demo's toy dataset unless it is there."""
    if all(osp.isfile(osp.join(demo.data_root, name))
           for name in demo.data_files):
        print(f'[demo] using the toy dataset in {demo.data_root}')
        return
    print(f'[demo] generating the toy dataset in {demo.data_root} ...')
    demo.write_data(demo.data_root)


def _draw_people(cfg: Config, checkpoint: str, out_dir: str,
                 detector: Optional[Tuple[str, str]] = None) -> str:
    """The trained model draws all the people of each val image in one, in
    the ground-truth boxes the test used, or in those that ``detector``
    (its config and checkpoint) finds."""
    from mmmoga.visualization import load_person_boxes
    dataset = cfg.test_dataloader.dataset
    image_dir = osp.join(dataset.data_root, dataset.data_prefix['img'])
    ann_file = osp.join(dataset.data_root, dataset.ann_file)
    names = sorted(load_person_boxes(ann_file))
    settings = InferenceSettings(
        checkpoint=checkpoint, out_dir=out_dir,
        person_boxes=None if detector else load_person_boxes(ann_file),
        det_config=detector and detector[0],
        det_checkpoint=detector and detector[1])
    infer(cfg.filename, [osp.join(image_dir, name) for name in names],
          settings)
    return osp.join(out_dir, 'vis')


def _test_with_detected_people(cfg: Config, checkpoint: str,
                               detector: Tuple[str, str],
                               work_dir: str) -> Dict[str, float]:
    """The pose model's test metrics when it reads the people the detector
    finds in the val images (MMPose's ``bbox_file``, as its COCO results
    with a person detector are measured) instead of the ground-truth
    boxes."""
    import mmcv

    from mmmoga.utils import tracked

    from ..pictures.predictors import PersonDetector
    dataset = cfg.test_dataloader.dataset
    with open(osp.join(dataset.data_root, dataset.ann_file)) as f:
        images = json.load(f)['images']
    find_people = PersonDetector(InferenceSettings(
        checkpoint=checkpoint, det_config=detector[0],
        det_checkpoint=detector[1]))
    found = []
    for image in tracked(images, 'finding people'):
        boxes = find_people(mmcv.imread(osp.join(
            dataset.data_root, dataset.data_prefix['img'],
            image['file_name'])))
        found += [dict(image_id=image['id'], category_id=1,
                       bbox=[float(x1), float(y1), float(x2 - x1),
                             float(y2 - y1)], score=float(score))
                  for x1, y1, x2, y2, score in boxes]
    os.makedirs(work_dir, exist_ok=True)
    bbox_file = osp.join(work_dir, 'person_boxes_val.json')
    with open(bbox_file, 'w') as f:
        json.dump(found, f)
    print(f'[demo] the detector found {len(found)} people in '
          f'{len(images)} val images ({bbox_file})')
    test_cfg = copy.deepcopy(cfg)
    test_cfg.work_dir = work_dir
    test_cfg.load_from = checkpoint
    test_cfg.test_dataloader.dataset.bbox_file = bbox_file
    return build_runner(test_cfg).test()


class DemoResult(NamedTuple):
    """What a demo run measured.

    Attributes:
        task: Key of :data:`DEMOS`.
        metrics: The test's metrics on the table's scale.
        seconds: Wall time from start to the drawn predictions.
        drawn_dir: Where the drawn predictions are.
        score_thr: Lowest score of a drawn detection (detection only).
        one_label_iou: Of drawn boxes overlapping by more than this, only
            the highest-scoring is drawn (``OneLabelDetVisualizer``), or
            None.
        passed: Every target met.
    """
    task: str
    metrics: Dict[str, float]
    seconds: float
    drawn_dir: str
    score_thr: Optional[float]
    one_label_iou: Optional[float]
    passed: bool


def default_work_dir(task: str) -> str:
    """``work_dirs/demo`` for detection (``make demo``), else
    ``work_dirs/demo_<task>``."""
    return 'work_dirs/demo' if task == 'det' else f'work_dirs/demo_{task}'


class _Trained(NamedTuple):
    cfg: Config
    checkpoint: str
    metrics: Dict[str, float]
    drawn_dir: str
    is_detection: bool


def _train_and_test(demo: DemoTask, work_dir: str, score_thr: float,
                    seed: Optional[int], amp: bool) -> _Trained:
    """Trains ``demo``'s model in ``work_dir`` and tests it (the test's
    visualization hook drawing, except where the demo draws people)."""
    ensure_toy_data(demo)
    config = demo.config
    if demo.own_data is not None:
        os.makedirs(work_dir, exist_ok=True)
        name = osp.splitext(osp.basename(config))[0]
        written = write_dataset_config(
            config, demo.data_root, osp.join(work_dir, f'{name}_own.py'),
            demo.own_data)
        config = written.out_file
        print(f'[demo] wrote {config} for the data in {demo.data_root}:')
        print('\n'.join('[demo]   ' + line for line in written.summary))
    cfg = Config.fromfile(config)
    cfg.work_dir = work_dir
    if seed is not None:
        cfg.randomness.seed = seed
    # Validation would repeat the final test (which also draws). mmengine's
    # loops validate after the last epoch or iteration whatever the
    # interval, but never before `val_begin`.
    loop = cfg.train_cfg
    loop.val_begin = (loop.max_epochs if 'max_epochs' in loop
                      else loop.max_iters) + 1
    drawn_dir = osp.abspath(osp.join(cfg.work_dir, 'predictions'))
    is_detection = cfg.default_hooks.visualization.type == \
        'DetVisualizationHook'
    if not demo.draws_people:
        drawn_dir = enable_visualization(
            cfg, drawn_dir, score_thr=score_thr if is_detection else None)
    enable_reparameterized_test(cfg)
    if amp:
        enable_amp(cfg)
        enable_amp_test(cfg)
    check_config(cfg)
    runner = build_runner(cfg)
    runner.train()
    test_start = time.time()
    metrics = runner.test()
    if not demo.draws_people:
        drawn_dir = drawn_dir.format(timestamp=runner.timestamp)
        caption_drawings(cfg, drawn_dir, test_start)
    scaled = {key: metrics[key] * demo.metric_scale for key in demo.reported}
    return _Trained(cfg, find_latest_checkpoint(cfg.work_dir), scaled,
                    drawn_dir, is_detection)


def reported_metrics(demo: DemoTask) -> Tuple[str, ...]:
    """The metrics a demo's table shows: its own, then (pose with a person
    detector) the detector's and the pose model's on the people the
    detector found."""
    reported = demo.reported
    if demo.person_detector is not None:
        reported += tuple(DETECTOR_PREFIX + key
                          for key in demo.person_detector.reported)
        reported += tuple(DETECTED_PREFIX + key for key in demo.reported)
    return reported


def run_demo(task: str, work_dir: Optional[str] = None,
             score_thr: float = DEFAULT_SCORE_THR,
             seed: Optional[int] = None, amp: bool = False) -> DemoResult:
    """Runs the demo of ``task`` (a key of :data:`DEMOS`) in ``work_dir``
    (default: :func:`default_work_dir`); ``seed`` replaces the toy
    config's random seed; ``amp`` trains and tests in mixed precision
    (bfloat16 on a CPU, as ``tools/train.py --amp``)."""
    demo = DEMOS[task]
    start = time.time()
    work_dir = work_dir or default_work_dir(task)
    trained = _train_and_test(demo, work_dir, score_thr, seed, amp)
    metrics, drawn_dir = dict(trained.metrics), trained.drawn_dir
    detector = None
    if demo.person_detector is not None:
        print(f'[demo] training the person detector: '
              f'{demo.person_detector.title}')
        found = _train_and_test(demo.person_detector,
                                osp.join(work_dir, 'person_detector'),
                                score_thr, seed, amp)
        metrics.update({DETECTOR_PREFIX + key: value
                        for key, value in found.metrics.items()})
        detector = (found.cfg.filename, found.checkpoint)
        pipeline = _test_with_detected_people(
            trained.cfg, trained.checkpoint, detector,
            osp.join(work_dir, 'detected_people_test'))
        metrics.update({DETECTED_PREFIX + key: pipeline[key] *
                        demo.metric_scale for key in demo.reported})
    if demo.draws_people:
        drawn_dir = _draw_people(trained.cfg, trained.checkpoint, drawn_dir,
                                 detector)
    targets = demo_targets(task)
    passed = all(metrics[key] >= target for key, target in targets.items())
    cfg = trained.cfg
    one_label_iou = cfg.visualizer.get('iou_thr') if \
        cfg.visualizer.type == 'OneLabelDetVisualizer' else None
    return DemoResult(task, metrics, time.time() - start, drawn_dir,
                      score_thr if trained.is_detection else None,
                      one_label_iou, passed)


def demo_targets(task: str) -> Dict[str, float]:
    """Metric -> lowest accepted value of ``task``'s demo, the person
    detector's included."""
    demo = DEMOS[task]
    targets = dict(demo.targets)
    if demo.person_detector is not None:
        targets.update({DETECTOR_PREFIX + key: value for key, value in
                        demo.person_detector.targets.items()})
    return targets


def results_table(result: DemoResult, allocator: str) -> str:
    """The table printed at the end of a demo."""
    demo = DEMOS[result.task]
    targets = demo_targets(result.task)
    reported = reported_metrics(demo)
    name_width = max(22, *(len(key) + 2 for key in reported))
    width = max(60, name_width + 22)
    lines = ['', '=' * width, f' mmmoga demo: {demo.title}', '=' * width,
             f' {"metric":<{name_width}}{"value":>8}{"target":>10}  ok']
    for key in reported:
        value = result.metrics[key]
        target = targets.get(key)
        ok = '' if target is None else ('yes' if value >= target else 'NO')
        target_text = '' if target is None else f'>= {target:.2f}'
        lines.append(
            f' {key:<{name_width}}{value:>8.3f}{target_text:>10}  {ok}')
    lines += ['-' * width,
              f' wall time {result.seconds / 60:.1f} min',
              f' malloc: {allocator}; test in MogaNet deploy mode',
              f' predictions drawn in {result.drawn_dir}']
    if result.score_thr is not None:
        lines.append(f' detections drawn where their score >= '
                     f'{result.score_thr:g}')
    if result.one_label_iou is not None:
        lines.append(f' one label per object: of boxes overlapping by more '
                     f'than IoU {result.one_label_iou:g}, the best')
    lines.append('=' * width)
    return '\n'.join(lines)


RESULT_FILE = 'demo_result.json'
DEMO_TABLE_SECTION = 'demo-table'


def save_result(result: DemoResult, work_dir: str, allocator: str) -> str:
    """Writes ``result`` to ``work_dir/demo_result.json`` (read by
    :func:`demo_table`); returns the file."""
    path = osp.join(work_dir, RESULT_FILE)
    record = dict(result._asdict(), allocator=allocator,
                  finished=time.strftime('%Y-%m-%d %H:%M'),
                  targets=demo_targets(result.task))
    with open(path, 'w') as file:
        json.dump(record, file, indent=1)
    return path


def load_results(work_dirs: Dict[str, str]) -> Dict[str, dict]:
    """Task -> the saved result of its last run, for the tasks of
    ``work_dirs`` (task -> work dir) that have one."""
    results = {}
    for task, work_dir in work_dirs.items():
        path = osp.join(work_dir, RESULT_FILE)
        if osp.isfile(path):
            with open(path) as file:
                results[task] = json.load(file)
    return results


def demo_table(results: Dict[str, dict]) -> str:
    """A Markdown table of saved demo results: one row per target metric,
    with the run's time, when it finished and its malloc setting."""
    lines = ['| demo | command | time (min) | metric | value | target | '
             'finished (malloc) |', '|---|---|---|---|---|---|---|']
    for task, record in results.items():
        command = '`make demo`' if task == 'det' else f'`make demo-{task}`'
        run = [task, command, f"{record['seconds'] / 60:.1f}"]
        finished = f"{record['finished']} ({record['allocator']})"
        for metric, target in record['targets'].items():
            cells = run + [metric, f"{record['metrics'][metric]:.3f}",
                           f'>= {target:.2f}', finished]
            lines.append('| ' + ' | '.join(cells) + ' |')
            run, finished = ['', '', ''], ''
    return '\n'.join(lines)


class TrainedDemo(NamedTuple):
    """A demo's trained model: its config and checkpoint, and for pose the
    person detector's (None where it was not trained)."""
    task: str
    title: str
    config: str
    checkpoint: str
    det_config: Optional[str] = None
    det_checkpoint: Optional[str] = None


def _trained_config(demo: DemoTask, work_dir: str) -> Optional[Tuple[
        str, str]]:
    """The config a demo trained in ``work_dir`` (the written one, for
    one's own data) and its latest checkpoint, or None."""
    checkpoint = find_latest_checkpoint(work_dir) if osp.isdir(
        work_dir) else None
    if checkpoint is None or not osp.isfile(checkpoint):
        return None
    config = demo.config
    if demo.own_data is not None:
        name = osp.splitext(osp.basename(config))[0]
        config = osp.join(work_dir, f'{name}_own.py')
        if not osp.isfile(config):
            return None
    return config, checkpoint


def trained_demos() -> List[TrainedDemo]:
    """The demos trained in their default work dirs (``make demo*``), in
    the order of :data:`DEMOS`."""
    trained = []
    for task, demo in DEMOS.items():
        work_dir = default_work_dir(task)
        found = _trained_config(demo, work_dir)
        if found is None:
            continue
        detector = None
        if demo.person_detector is not None:
            detector = _trained_config(demo.person_detector,
                                       osp.join(work_dir, 'person_detector'))
        trained.append(TrainedDemo(task, demo.title, *found,
                                   *(detector or (None, None))))
    return trained
