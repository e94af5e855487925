"""The toy task of each library as the tests use it: one table of configs,
data writers and short runs, and the fixtures built from it live in
conftest.py (``toy_data``, ``trained_toy``)."""
from typing import Callable, List, NamedTuple, Tuple

from helpers import toy_run_options
from mmmoga.toy_data import (
    write_toy_ade,
    write_toy_cls,
    write_toy_coco,
    write_toy_coco_pose,
)


class ToyTask(NamedTuple):
    """Attributes:
        config: The toy config the tool tests run.
        write_data: The toy data writer (``root, num_train, num_val,
            seed``).
        num_train: Training images of the tests' tiny data set.
        num_val: Validation images of it.
        train_images: Folder of the training images under the data root.
        short_run: Data root -> the ``--cfg-options`` items (beside
            :func:`helpers.toy_run_options`') of a run of a few iterations.
        checkpoint: What that run saves last.
        metrics: Names its validation logs.
    """
    config: str
    write_data: Callable
    num_train: int
    num_val: int
    train_images: str
    short_run: Callable[[str], List[str]]
    checkpoint: str
    metrics: Tuple[str, ...]


def _coco_evaluators(ann_file: str) -> Callable[[str], List[str]]:
    return lambda root: [f'{split}_evaluator.ann_file={root}/{ann_file}'
                         for split in ('val', 'test')]


TOY_TASKS = {
    'det': ToyTask(
        'configs/det/toy/mask_rcnn_moga_xt_toy.py', write_toy_coco, 8, 4,
        'train',
        lambda root: _coco_evaluators('annotations/instances_val.json')(
            root) + ['train_cfg.max_epochs=1', 'train_cfg.val_interval=1'],
        'epoch_1.pth', ('coco/bbox_mAP', 'coco/segm_mAP')),
    'seg': ToyTask(
        'configs/seg/toy/upernet_moga_xt_toy.py', write_toy_ade, 4, 2,
        'images/training',
        lambda root: [
            'train_cfg.max_iters=2', 'train_cfg.val_interval=2',
            'default_hooks.checkpoint.interval=2', 'param_scheduler.0.end=1',
            'param_scheduler.1.begin=1', 'param_scheduler.1.end=2',
            'train_dataloader.batch_size=2'
        ], 'iter_2.pth', ('mIoU', 'mAcc', 'aAcc')),
    'pose': ToyTask(
        'configs/pose/toy/topdown_heatmap_moga_xt_toy.py',
        write_toy_coco_pose, 4, 2, 'train',
        lambda root: _coco_evaluators(
            'annotations/person_keypoints_val.json')(root) + [
                'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
                'default_hooks.checkpoint.interval=1',
                'param_scheduler.0.end=1', 'train_dataloader.batch_size=4'
        ], 'epoch_1.pth', ('coco/AP', 'coco/AR')),
    'cls': ToyTask(
        'configs/cls/toy/moganet_xt_toy.py', write_toy_cls, 12, 6, 'train',
        lambda root: [
            'train_cfg.max_epochs=1', 'train_cfg.val_interval=1',
            'default_hooks.checkpoint.interval=1',
            'train_dataloader.batch_size=4'
        ], 'epoch_1.pth', ('accuracy/top1', )),
}


def short_run_options(task: str, root: str, *extra: str) -> List[str]:
    """``--cfg-options`` for the short run of ``task``'s toy config on the
    data in ``root``, with ``extra`` items after."""
    return toy_run_options(root, *TOY_TASKS[task].short_run(root), *extra)
