"""The toy demos: a MogaNet model learns a toy task from scratch on a CPU, is
evaluated with its library's metric, and draws its predictions.

    python tools/demo.py det   # make demo:     Mask R-CNN + MogaNet-XT
    python tools/demo.py seg   # make demo-seg: UperNet + MogaNet-XT
    python tools/demo.py pose  # make demo-pose: top-down heatmap MogaNet-XT
    python tools/demo.py cls   # make demo-cls: MogaNet-XT classifier

Steps: generate the toy dataset if it is missing, train with the task's toy
config, test on the val split while the library's visualization hook draws
every prediction (pose: the trained model draws all the people of each val
image afterwards), print a results table. Exits with status 1 if a metric
misses its target.
"""
import argparse
import os.path as osp
import time
from dataclasses import dataclass
from typing import Callable, Dict, Optional, Tuple

from mmengine.config import Config
from mmengine.runner import find_latest_checkpoint

from mmmoga.toy_data import (write_toy_ade, write_toy_cls, write_toy_coco,
                             write_toy_coco_pose)
from mmmoga.utils import (add_allocator_argument, build_runner,
                          check_config, tune_malloc)


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
            table's (mmseg reports percentages; the table shows fractions).
        enable_drawing: Turns on drawing of every test prediction in a
            loaded config; returns where the drawn images go, relative to
            the run's timestamped folder.
        time_target_minutes: The end-to-end time the demo is meant to
            take at most on a laptop CPU (reported, not enforced).
        draw_after_test: Instead of ``enable_drawing``: draws the
            predictions after the test, given the config, the trained
            checkpoint and the run's timestamped folder; returns where the
            drawn images went.
    """
    title: str
    config: str
    data_root: str
    data_files: Tuple[str, ...]
    write_data: Callable[[str], object]
    targets: Dict[str, float]
    reported: Tuple[str, ...]
    metric_scale: float
    enable_drawing: Optional[Callable[[Config], str]] = None
    draw_after_test: Optional[Callable[[Config, str, str], str]] = None
    time_target_minutes: float = 10


def draw_detections(cfg: Config) -> str:
    cfg.default_hooks.visualization.update(
        draw=True, test_out_dir='predictions')
    return 'predictions'


def draw_segmentations(cfg: Config) -> str:
    # Every image, not every 50th; mmseg's visualizer saves them through its
    # local backend: ground truth beside the coloured prediction overlay.
    cfg.default_hooks.visualization.update(draw=True, interval=1)
    return osp.join('vis_data', 'vis_image')


def draw_classifications(cfg: Config) -> str:
    # Every image (the hook draws every 5000th unless told otherwise), named
    # after it. The hook takes its out_dir as given, not under the work dir.
    out_dir = osp.abspath(osp.join(cfg.work_dir, 'predictions'))
    cfg.default_hooks.visualization.update(
        enable=True, interval=1, out_dir=out_dir)
    return out_dir


def draw_poses(cfg: Config, checkpoint: str, run_dir: str) -> str:
    # MMPose's visualization hook draws one person per image file; the
    # trained model draws all the people of each val image in one, in the
    # ground-truth boxes the test used.
    from mmmoga.utils.pose_drawing import PoseDrawer, load_person_boxes
    dataset = cfg.test_dataloader.dataset
    image_dir = osp.join(dataset.data_root, dataset.data_prefix['img'])
    boxes = load_person_boxes(osp.join(dataset.data_root, dataset.ann_file))
    out_dir = osp.join(run_dir, 'predictions')
    PoseDrawer(cfg, checkpoint).draw_all(
        (osp.join(image_dir, name) for name in sorted(boxes)), out_dir, boxes)
    return osp.join(out_dir, 'vis')


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
        metric_scale=1.,
        enable_drawing=draw_detections),
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
        metric_scale=0.01,
        enable_drawing=draw_segmentations),
    'pose': DemoTask(
        title='top-down heatmap MogaNet-XT, toy limb figures (COCO)',
        config='configs/pose/toy/topdown_heatmap_moga_xt_toy.py',
        data_root='data/toy_coco_pose',
        data_files=('annotations/person_keypoints_train.json',
                    'annotations/person_keypoints_val.json'),
        write_data=write_toy_coco_pose,
        targets={'coco/AP': 0.50},
        # Every toy person is a COCO 'medium' one (area under 96^2): no
        # (M) / (L) split.
        reported=('coco/AP', 'coco/AP .5', 'coco/AP .75', 'coco/AR',
                  'coco/AR .5'),
        metric_scale=1.,
        draw_after_test=draw_poses),
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
        metric_scale=0.01,
        enable_drawing=draw_classifications,
        time_target_minutes=5),
}


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('task', nargs='?', default='det', choices=sorted(DEMOS),
                        help='which demo to run (default: det)')
    parser.add_argument('--work-dir',
                        help='default: work_dirs/demo (det) or '
                        'work_dirs/demo_<task>')
    add_allocator_argument(parser)
    return parser.parse_args()


def ensure_toy_data(demo: DemoTask):
    if all(osp.isfile(osp.join(demo.data_root, name))
           for name in demo.data_files):
        print(f'[demo] using the toy dataset in {demo.data_root}')
        return
    print(f'[demo] generating the toy dataset in {demo.data_root} ...')
    demo.write_data(demo.data_root)


def results_table(demo: DemoTask, metrics: dict, seconds: float,
                  drawn_dir: str, allocator: str):
    """The printed table and whether every target was met."""
    width = 60
    lines = ['', '=' * width, f' mmmoga demo: {demo.title}', '=' * width,
             f' {"metric":<22}{"value":>8}{"target":>10}  ok']
    passed = True
    for key in demo.reported:
        value = metrics[key] * demo.metric_scale
        target = demo.targets.get(key)
        ok = '' if target is None else ('yes' if value >= target else 'NO')
        passed &= ok != 'NO'
        target_text = '' if target is None else f'>= {target:.2f}'
        lines.append(f' {key:<22}{value:>8.3f}{target_text:>10}  {ok}')
    minutes = seconds / 60
    lines += ['-' * width,
              f' wall time {minutes:.1f} min (target <= '
              f'{demo.time_target_minutes:g})',
              f' malloc: {allocator}; test in MogaNet deploy mode',
              f' predictions drawn in {drawn_dir}',
              '=' * width]
    return '\n'.join(lines), passed


def main():
    args = parse_args()
    allocator = tune_malloc(not args.default_malloc)
    demo = DEMOS[args.task]
    start = time.time()
    ensure_toy_data(demo)
    cfg = Config.fromfile(demo.config)
    cfg.work_dir = args.work_dir or ('work_dirs/demo' if args.task == 'det'
                                     else f'work_dirs/demo_{args.task}')
    # Validation would repeat the final test (which also draws). mmengine's
    # loops validate after the last epoch or iteration whatever the
    # interval, but never before `val_begin`.
    loop = cfg.train_cfg
    loop.val_begin = (loop.max_epochs if 'max_epochs' in loop
                      else loop.max_iters) + 1
    drawn_subdir = demo.enable_drawing(cfg) if demo.enable_drawing else None
    # The final test runs the trained model in deploy mode (folded, faster
    # on the CPU, same outputs within 1e-4).
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='MogaNetDeployHook')
    ]
    check_config(cfg)
    runner = build_runner(cfg)
    runner.train()
    metrics = runner.test()
    run_dir = osp.join(cfg.work_dir, runner.timestamp)
    if demo.draw_after_test:
        checkpoint = find_latest_checkpoint(cfg.work_dir)
        drawn_dir = demo.draw_after_test(cfg, checkpoint, run_dir)
    else:
        drawn_dir = osp.join(run_dir, drawn_subdir)
    table, passed = results_table(demo, metrics, time.time() - start,
                                  drawn_dir, allocator)
    print(table)
    if not passed:
        raise SystemExit(f'[demo] the model missed its target: '
                         f'{demo.targets}')


if __name__ == '__main__':
    main()
