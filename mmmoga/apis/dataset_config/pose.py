"""Pose data (COCO keypoints) and the settings it decides."""
import os.path as osp
from typing import List, Optional, Tuple

from mmmoga.datasets.own_data import (
    DEFAULT_SIGMA,
    count_table,
    mirrored_pairs,
    parse_flip_pairs,
    pose_dataset_meta,
    survey_coco_keypoints,
)
from mmmoga.errors import ConfigCheckError, DatasetLayoutError

from .plan import (
    Plan,
    set_coco_paths,
    survey_coco_splits,
)

# Paths relative to DATA_ROOT, per option: the toy dataset's layout.
DEFAULT_LAYOUT = dict(
    train_ann='annotations/person_keypoints_train.json',
    val_ann='annotations/person_keypoints_val.json',
    train_img='train/', val_img='val/')
# The options that describe this task's data; another task's, given, is an
# error rather than ignored (plan.check_options_apply).
OPTIONS = ('train_ann', 'val_ann', 'train_img', 'val_img', 'flip_pairs',
    'sigmas', 'dataset_name')


def _sigmas(text: Optional[str], count: int) -> Tuple[List[float], str]:
    if text is None:
        return [DEFAULT_SIGMA] * count, f'{DEFAULT_SIGMA} for every ' \
            'keypoint (default; --sigmas sets them)'
    try:
        values = [float(v) for v in text.split(',') if v.strip()]
    except ValueError:
        raise ConfigCheckError(f'--sigmas {text!r}: expected numbers, e.g. '
                               '0.05 or 0.03,0.05,...') from None
    if len(values) == 1:
        values *= count
    if len(values) != count or min(values) <= 0:
        raise ConfigCheckError(
            f'--sigmas gives {len(values)} values; the dataset has {count} '
            'keypoints (give one positive value, or one per keypoint)')
    return values, ', '.join(f'{v:g}' for v in values)


def plan(plan: Plan) -> Tuple[str, ...]:
    splits = survey_coco_splits(plan, survey_coco_keypoints)
    train, val = splits['train'], splits['val']
    if val.keypoints != train.keypoints:
        raise DatasetLayoutError(
            f'{plan.full("val_ann")[0]} has {len(val.keypoints)} keypoints '
            f'({", ".join(val.keypoints)}); {plan.full("train_ann")[0]} has '
            f'{len(train.keypoints)} ({", ".join(train.keypoints)}): both '
            'splits need the same keypoint set')
    names = train.keypoints
    if plan.options.flip_pairs is not None:
        pairs = parse_flip_pairs(plan.options.flip_pairs, names)
        source = '--flip-pairs'
    else:
        pairs = mirrored_pairs(names)
        source = 'left / right names'
    sigmas, sigma_text = _sigmas(plan.options.sigmas, len(names))
    dataset_name = plan.options.dataset_name or osp.basename(
        osp.normpath(plan.data_root))
    meta = pose_dataset_meta(dataset_name, names, train.skeleton, pairs,
                             sigmas)
    set_coco_paths(plan)
    # Evaluate on the annotated boxes: there is no person detector's output
    # for this data.
    plan.set_datasets(('val', 'test'), 'bbox_file', None)
    plan.set_datasets(('train', 'val', 'test'), 'metainfo', meta, True)
    for split, survey in splits.items():
        plan.summary.append(f'{split}: {survey.num_images} images, '
                            f'{survey.num_instances} annotated objects')
    plan.summary.append(f'keypoints ({len(names)}): {", ".join(names)}')
    plan.summary.append(
        f'skeleton: {len(train.skeleton)} links (from the JSON); flip '
        f'pairs ({source}): ' + (', '.join(f'{a}/{b}' for a, b in pairs)
                                 or 'none'))
    plan.summary.append(f'OKS sigmas: {sigma_text}')
    plan.summary.append('labelled objects per keypoint (train):')
    plan.summary += ['  ' + line for line in
                     count_table(train.labelled, 'objects')]
    return names
