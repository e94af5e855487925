"""Detection data (COCO instances) and the detector settings it decides."""
import os.path as osp
import re
from typing import Optional, Tuple

from mmengine.config import Config

from mmmoga.datasets.own_data import (
    count_table,
    distinct_colours,
    survey_coco_instances,
)
from mmmoga.errors import DatasetLayoutError

from .plan import (
    Plan,
    set_coco_paths,
    survey_coco_splits,
)

# Paths relative to DATA_ROOT, per option: the toy dataset's layout.
DEFAULT_LAYOUT = dict(
    train_ann='annotations/instances_train.json',
    val_ann='annotations/instances_val.json',
    train_img='train/', val_img='val/')
# The options that describe this task's data; another task's, given, is an
# error rather than ignored (plan.check_options_apply).
OPTIONS = ('train_ann', 'val_ann', 'train_img', 'val_img')


def _has_mask_head(cfg: Config) -> bool:
    roi_head = cfg.model.get('roi_head') or {}
    return bool(roi_head.get('mask_head'))


def box_only_sibling(config: str) -> Tuple[Optional[str], str]:
    """The box-only config beside a mask config (Faster R-CNN for Mask
    R-CNN, Cascade R-CNN for Cascade Mask R-CNN), and what it changes
    besides the masks ('' if nothing)."""
    folder, name = osp.split(config)
    if 'cascade_mask_rcnn' in name:
        box_only = name.replace('cascade_mask_rcnn', 'cascade_rcnn')
        # The box-only cascade exists with the GIoU 4conv1fc heads only.
        candidates = [(box_only, ''), (re.sub(
            r'_moga_(\w+?)_ms3x', r'_moga_\1_giou_4conv1f_ms3x', box_only),
            'its box heads are the GIoU 4conv1fc ones')]
    else:
        box_only = name.replace('mask_rcnn', 'faster_rcnn')
        candidates = [(box_only, ''),
                      (box_only.replace('_ms3x', ''),
                       'it trains 1x at one scale, not multi-scale 3x')]
    for candidate, differs in candidates:
        path = osp.join(folder, candidate)
        if candidate != name and osp.isfile(path):
            return path, differs
    return None, ''


def plan(plan: Plan) -> Tuple[str, ...]:
    splits = survey_coco_splits(plan, survey_coco_instances)
    train, val = splits['train'], splits['val']
    if (val.classes, val.category_ids) != (train.classes,
                                           train.category_ids):
        raise DatasetLayoutError(
            f'the categories of {val.ann_file} differ from those of '
            f'{train.ann_file} ({list(zip(val.category_ids, val.classes))} '
            f'against {list(zip(train.category_ids, train.classes))}): '
            'MMDetection numbers classes in file order, so both files need '
            'the same "categories" list')
    if _has_mask_head(plan.cfg) and train.num_without_mask:
        sibling, differs = box_only_sibling(plan.cfg.filename)
        use = (f'use the box-only {sibling}' if sibling else
               'use a box-only config (faster_rcnn_*, cascade_rcnn_* or '
               'retinanet_*)')
        if differs:
            use += f' ({differs})'
        raise DatasetLayoutError(
            f'{plan.cfg.filename} trains masks, but {train.num_without_mask}'
            f' of the {train.num_objects} objects of {train.ann_file} have '
            f'no "segmentation": {use}')
    classes = train.classes
    set_coco_paths(plan)
    plan.set_datasets(('train', 'val', 'test'), 'metainfo',
                      dict(classes=classes,
                           palette=distinct_colours(len(classes))),
                      replace=True)
    filter_cfg = plan.edit.get(plan.datasets('train')[0] +
                               ('filter_cfg', )) or {}
    for split, survey in splits.items():
        line = (f'{split}: {survey.num_images} images, {survey.num_objects} '
                f'objects, {survey.num_crowd} crowd regions; '
                f'{survey.num_empty_images} images without objects')
        if split == 'train' and survey.num_empty_images:
            line += ('; filter_cfg.filter_empty_gt=True leaves them out of '
                     'training' if filter_cfg.get('filter_empty_gt') else
                     '; they train as background (filter_cfg keeps them)')
        plan.summary.append(line)
    plan.summary.append(
        'classes (category id: name): ' + ', '.join(
            f'{i}: {n}' for i, n in zip(train.category_ids, classes)))
    plan.summary.append('objects per class (train):')
    plan.summary += ['  ' + line for line in
                     count_table(train.instances, 'objects')]
    return classes
