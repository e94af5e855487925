"""A config for the user's own dataset: ``tools/dataset_config.py CONFIG
DATA_ROOT -o OUT.py`` surveys the data, then writes a thin config that
inherits CONFIG and sets what the data decides (paths, classes or keypoints,
the class count of every head, the evaluators' files) and reports what it
found.

Each task has its default layout under DATA_ROOT (that of its toy dataset,
:data:`DEFAULT_LAYOUTS`); options name what differs. The config written is
read back and checked as the tools check configs, and its datasets are
built, before this returns.
"""
import contextlib
import io
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from mmengine.config import Config

from mmmoga.datasets.own_data import (
    DEFAULT_SIGMA,
    count_table,
    distinct_colours,
    image_suffix,
    mirrored_pairs,
    parse_flip_pairs,
    pose_dataset_meta,
    require_folder,
    survey_annotation_list,
    survey_class_folders,
    survey_coco_instances,
    survey_coco_keypoints,
    survey_segmentation,
)
from mmmoga.errors import ConfigCheckError, DatasetLayoutError

from .config import load_config
from .config_checks import (
    DATASET_WRAPPER_KEYS,
    check_config,
    class_count_settings,
)
from .thin_config import Path, ThinConfig, parse_key

TASKS = {'mmdet': 'det', 'mmseg': 'seg', 'mmpose': 'pose',
         'mmpretrain': 'cls'}
# Paths relative to DATA_ROOT, per task and option: the toy datasets'.
DEFAULT_LAYOUTS = {
    'det': dict(train_ann='annotations/instances_train.json',
                val_ann='annotations/instances_val.json',
                train_img='train/', val_img='val/'),
    'seg': dict(train_img='images/training/', val_img='images/validation/',
                train_seg='annotations/training/',
                val_seg='annotations/validation/'),
    'pose': dict(train_ann='annotations/person_keypoints_train.json',
                 val_ann='annotations/person_keypoints_val.json',
                 train_img='train/', val_img='val/'),
    'cls': dict(train_img='train/', val_img='val/', train_ann=None,
                val_ann=None),
}
# The options that describe each task's data; another task's, given, is an
# error rather than ignored.
TASK_OPTIONS = {
    'det': ('train_ann', 'val_ann', 'train_img', 'val_img'),
    'seg': ('train_img', 'val_img', 'train_seg', 'val_seg', 'classes',
            'img_suffix', 'seg_suffix', 'reduce_zero_label'),
    'pose': ('train_ann', 'val_ann', 'train_img', 'val_img', 'flip_pairs',
             'sigmas', 'dataset_name'),
    'cls': ('train_ann', 'val_ann', 'train_img', 'val_img', 'classes'),
}
# How the backbone initialises with --no-pretrained: MogaNet's own
# (official) random initialisation, as the toy configs train.
RANDOM_INIT = dict(type='FanOutNormal', layer='Conv2d')


@dataclass
class DatasetOptions:
    """What the user said of the data (None: the task's default layout).

    Attributes:
        train_ann, val_ann: Annotation files (det, pose; cls: a list file
            instead of class folders).
        train_img, val_img: Image folders.
        train_seg, val_seg: Label-map folders (seg).
        classes: Class names, a file of one per line or a comma list (seg;
            cls with an annotation list).
        img_suffix, seg_suffix: File suffixes (seg).
        reduce_zero_label: Label 0 is "other" and ignored (seg).
        flip_pairs: ``a:b,c:d`` (pose; default: left / right names).
        sigmas: One OKS sigma for all keypoints, or one per keypoint.
        dataset_name: Pose dataset name in its meta.
        no_pretrained: Train the backbone from its random initialisation.
        epochs, iters, batch_size: Schedule and batch changes.
    """
    train_ann: Optional[str] = None
    val_ann: Optional[str] = None
    train_img: Optional[str] = None
    val_img: Optional[str] = None
    train_seg: Optional[str] = None
    val_seg: Optional[str] = None
    classes: Optional[str] = None
    img_suffix: Optional[str] = None
    seg_suffix: str = '.png'
    reduce_zero_label: bool = False
    flip_pairs: Optional[str] = None
    sigmas: Optional[str] = None
    dataset_name: Optional[str] = None
    no_pretrained: bool = False
    epochs: Optional[int] = None
    iters: Optional[int] = None
    batch_size: Optional[int] = None


@dataclass
class DatasetConfig:
    """What :func:`write_dataset_config` wrote and found."""
    out_file: str
    task: str
    classes: Tuple[str, ...]
    summary: List[str] = field(default_factory=list)


class _Plan:
    """The settings being made over the base config, and the summary."""

    def __init__(self, cfg: Config, data_root: str,
                 options: DatasetOptions, task: str):
        self.cfg = cfg
        self.edit = ThinConfig(cfg)
        self.data_root = data_root
        self.options = options
        self.layout = dict(DEFAULT_LAYOUTS[task])
        self.summary: List[str] = []

    def path(self, name: str) -> Tuple[Optional[str], str]:
        """(relative path, option that chose it) of a layout entry."""
        given = getattr(self.options, name)
        option = '--' + name.replace('_', '-')
        if given is not None:
            return given, option
        return self.layout.get(name), f'{option}, default'

    def full(self, name: str) -> Tuple[str, str]:
        relative, option = self.path(name)
        return osp.join(self.data_root, relative), option

    def datasets(self, split: str) -> List[Path]:
        """Paths of the innermost dataset of ``split``'s loader (the one
        that reads files), through wrappers such as RepeatDataset."""
        path: Path = (f'{split}_dataloader', 'dataset')
        dataset = self.edit.get(path)
        if not isinstance(dataset, dict):
            raise ConfigCheckError(f'{self.cfg.filename} has no '
                                   f'{split}_dataloader.dataset')
        while True:
            inner = [k for k in DATASET_WRAPPER_KEYS if k in dataset]
            if not inner:
                return [path]
            if isinstance(dataset[inner[0]], (list, tuple)):
                raise ConfigCheckError(
                    f'{".".join(map(str, path))} of {self.cfg.filename} '
                    f'joins {len(dataset[inner[0]])} datasets: start from '
                    'a config with one dataset per split')
            path = path + (inner[0], )
            dataset = dataset[inner[0]]

    def set_datasets(self, splits: Sequence[str], key: str, value,
                     replace: bool = False):
        for split in splits:
            for path in self.datasets(split):
                self.edit.set(path + tuple(parse_key(key)), value, replace)

    def set_evaluators(self, key: str, value):
        """Sets ``key`` of every val and test metric that has it."""
        for split in ('val', 'test'):
            evaluator = self.edit.get(f'{split}_evaluator')
            metrics = evaluator if isinstance(evaluator, list) else \
                [evaluator]
            for index, metric in enumerate(metrics):
                if isinstance(metric, dict) and key in metric:
                    path = ((f'{split}_evaluator', index, key)
                            if isinstance(evaluator, list)
                            else (f'{split}_evaluator', key))
                    self.edit.set(path, value)


def _check_options_apply(options: DatasetOptions, task: str):
    defaults = DatasetOptions()
    for name in TASK_OPTIONS['det'] + TASK_OPTIONS['seg'] + \
            TASK_OPTIONS['pose'] + TASK_OPTIONS['cls']:
        if name not in TASK_OPTIONS[task] and \
                getattr(options, name) != getattr(defaults, name):
            users = [t for t, names in TASK_OPTIONS.items() if name in names]
            raise ConfigCheckError(
                f'--{name.replace("_", "-")} applies to {", ".join(users)} '
                f'configs only; CONFIG is a {task} config')


def _task_of(cfg: Config) -> str:
    scope = cfg.get('default_scope')
    if scope not in TASKS:
        raise ConfigCheckError(
            f'{cfg.filename}: default_scope {scope!r} is none of '
            f'{", ".join(TASKS)}: start from a config of configs/<task>/')
    return TASKS[scope]


def _read_classes(text: Optional[str], option: str) -> Optional[List[str]]:
    """Class names from a file (one per line) or a comma list."""
    if text is None:
        return None
    if osp.isfile(text):
        with open(text, encoding='utf-8') as file:
            names = [line.strip() for line in file if line.strip()]
    elif ',' not in text and ('/' in text or text.endswith('.txt')):
        raise ConfigCheckError(
            f'{option} {text}: no such file (a file is named relative to '
            'the current folder; a list is comma-separated)')
    else:
        names = [name.strip() for name in text.split(',') if name.strip()]
    if not names:
        raise ConfigCheckError(f'{option} {text!r} names no classes')
    if len(set(names)) != len(names):
        raise ConfigCheckError(f'{option} names a class twice')
    return names


# --- detection ---------------------------------------------------------

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


def _survey_coco_splits(plan: _Plan, survey) -> Dict:
    """Split -> ``survey(ann_file, img_dir, ann_option, img_option)`` of
    the train and val splits of a COCO-style dataset."""
    splits = {}
    for split in ('train', 'val'):
        ann, ann_option = plan.full(f'{split}_ann')
        img, img_option = plan.full(f'{split}_img')
        splits[split] = survey(ann, img, ann_option, img_option)
    return splits


def _set_coco_paths(plan: _Plan):
    """Data root, annotation file and image folder of every split (the
    test split reads the val files), and the evaluators' annotation
    file."""
    plan.set_datasets(('train', 'val', 'test'), 'data_root', plan.data_root)
    for split in ('train', 'val', 'test'):
        name = 'train' if split == 'train' else 'val'
        plan.set_datasets((split, ), 'ann_file', plan.path(f'{name}_ann')[0])
        plan.set_datasets((split, ), 'data_prefix.img',
                          plan.path(f'{name}_img')[0])
    plan.set_evaluators('ann_file', plan.full('val_ann')[0])


def _plan_det(plan: _Plan) -> Tuple[str, ...]:
    splits = _survey_coco_splits(plan, survey_coco_instances)
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
    _set_coco_paths(plan)
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


# --- semantic segmentation ---------------------------------------------

def _load_annotation_steps(plan: _Plan) -> Iterator[Path]:
    """Paths of every LoadAnnotations step of the config's pipelines
    (datasets' and test-time augmentation's)."""
    def steps(path: Path, pipeline) -> Iterator[Path]:
        for index, step in enumerate(pipeline or []):
            if not isinstance(step, dict):
                continue
            if step.get('type') == 'LoadAnnotations':
                yield path + (index, )
            for key in ('transforms', ):  # TestTimeAug's branches
                for b, branch in enumerate(step.get(key) or []):
                    yield from steps(path + (index, key, b), branch)
    for split in ('train', 'val', 'test'):
        for path in plan.datasets(split):
            yield from steps(path + ('pipeline', ),
                             plan.edit.get(path + ('pipeline', )))
    yield from steps(('tta_pipeline', ), plan.edit.get('tta_pipeline'))


def _plan_seg(plan: _Plan) -> Tuple[str, ...]:
    classes = _read_classes(plan.options.classes, '--classes')
    if classes is None:
        raise ConfigCheckError(
            '--classes is needed for segmentation: a file with one class '
            'name per line, or a comma list, in label-map value order')
    train_img, train_img_option = plan.full('train_img')
    require_folder(train_img, train_img_option)
    suffix = plan.options.img_suffix or image_suffix(train_img,
                                                     train_img_option)
    reduce = plan.options.reduce_zero_label
    for split in ('train', 'val'):
        img = plan.full(f'{split}_img')
        seg = plan.full(f'{split}_seg')
        survey = survey_segmentation(img[0], seg[0], suffix,
                                     plan.options.seg_suffix, classes,
                                     reduce, (img[1], seg[1]))
        total = sum(survey.pixels.values()) + survey.ignored_pixels
        plan.summary.append(
            f'{split}: {survey.num_images} images, '
            f'{survey.ignored_pixels / max(total, 1):.1%} of pixels ignored')
        if split == 'train':
            shares = {name: round(100 * count / max(total, 1), 2)
                      for name, count in survey.pixels.items()}
            plan.summary.append('pixels per class (train, % of all):')
            plan.summary += ['  ' + line for line in
                             count_table(shares, '%')]
    plan.set_datasets(('train', 'val', 'test'), 'type', 'BaseSegDataset')
    plan.set_datasets(('train', 'val', 'test'), 'data_root', plan.data_root)
    for split in ('train', 'val', 'test'):
        name = 'train' if split == 'train' else 'val'
        plan.set_datasets((split, ), 'data_prefix', dict(
            img_path=plan.path(f'{name}_img')[0],
            seg_map_path=plan.path(f'{name}_seg')[0]), True)
    plan.set_datasets(('train', 'val', 'test'), 'img_suffix', suffix)
    plan.set_datasets(('train', 'val', 'test'), 'seg_map_suffix',
                      plan.options.seg_suffix)
    plan.set_datasets(('train', 'val', 'test'), 'reduce_zero_label', reduce)
    plan.set_datasets(('train', 'val', 'test'), 'metainfo',
                      dict(classes=tuple(classes),
                           palette=distinct_colours(len(classes))),
                      replace=True)
    # mmseg's LoadAnnotations refuses a reduce_zero_label unlike the
    # dataset's.
    for step in _load_annotation_steps(plan):
        if plan.edit.get(step + ('reduce_zero_label', ), reduce) != reduce:
            plan.edit.set(step + ('reduce_zero_label', ), reduce)
    plan.summary.append(
        f'images *{suffix}, label maps *{plan.options.seg_suffix}; ' +
        ('label 0 ignored, 1-N are the classes (--reduce-zero-label)'
         if reduce else 'labels 0 to N-1 are the classes, 255 ignored'))
    return tuple(classes)


# --- classification ----------------------------------------------------

def _plan_cls(plan: _Plan) -> Tuple[str, ...]:
    train_ann = plan.path('train_ann')[0]
    surveys = {}
    if train_ann is None:
        classes = None
        for split in ('train', 'val'):
            folder, option = plan.full(f'{split}_img')
            surveys[split] = survey_class_folders(folder, option, classes)
            classes = surveys[split].classes
        given = _read_classes(plan.options.classes, '--classes')
        if given is not None and tuple(given) != classes:
            raise ConfigCheckError(
                f'--classes {",".join(given)} differs from the class '
                f'folders ({",".join(classes)}), which name the classes: '
                'leave it out, or rename the folders')
        plan.summary.append('classes: the class folders of ' +
                            plan.full('train_img')[0])
    else:
        if plan.options.val_ann is None:
            raise ConfigCheckError('--train-ann needs --val-ann: both splits '
                                   'are annotation lists, or both folders')
        names = _read_classes(plan.options.classes, '--classes')
        for split in ('train', 'val'):
            ann, ann_option = plan.full(f'{split}_ann')
            img, img_option = plan.full(f'{split}_img')
            if names is None:  # the largest label decides the count
                names = _labels_in_lists(plan)
                plan.summary.append(
                    f'classes: numbered 0-{len(names) - 1} (no --classes)')
            surveys[split] = survey_annotation_list(
                ann, img, names, (ann_option, img_option))
        classes = tuple(names)
    for split in ('train', 'val', 'test'):
        name = 'train' if split == 'train' else 'val'
        for path in plan.datasets(split):
            dataset = dict(type='CustomDataset', data_root=plan.data_root,
                           data_prefix=plan.path(f'{name}_img')[0])
            if train_ann is not None:
                dataset['ann_file'] = plan.path(f'{name}_ann')[0]
            dataset['metainfo'] = dict(classes=classes)
            # ImageNet's dataset class takes a split that CustomDataset
            # does not: the dataset is written whole.
            dataset['pipeline'] = plan.edit.get(path + ('pipeline', ))
            plan.edit.set(path, dataset, replace=True)
    for split in ('val', 'test'):
        evaluator = plan.edit.get(f'{split}_evaluator')
        if isinstance(evaluator, dict) and max(
                evaluator.get('topk') or (1, )) > len(classes):
            kept = tuple(k for k in evaluator['topk'] if k <= len(classes))
            plan.edit.set((f'{split}_evaluator', 'topk'), kept)
            if split == 'val':
                plan.summary.append(
                    'accuracy: top-' + ', top-'.join(map(str, kept)) +
                    f' only ({len(classes)} classes)')
    for split, survey in surveys.items():
        plan.summary.append(
            f'{split}: {sum(survey.images.values())} images')
    plan.summary.append('images per class (train):')
    plan.summary += ['  ' + line for line in
                     count_table(surveys['train'].images, 'images')]
    return classes


def _labels_in_lists(plan: _Plan) -> List[str]:
    largest = -1
    for split in ('train', 'val'):
        ann, option = plan.full(f'{split}_ann')
        if not osp.isfile(ann):
            continue  # the survey names it
        with open(ann, encoding='utf-8') as file:
            for line in file:
                label = line.strip().rpartition(' ')[2]
                if label.isdigit():
                    largest = max(largest, int(label))
    return [str(i) for i in range(largest + 1)] or ['0']


# --- pose ---------------------------------------------------------------

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


def _plan_pose(plan: _Plan) -> Tuple[str, ...]:
    splits = _survey_coco_splits(plan, survey_coco_keypoints)
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
    _set_coco_paths(plan)
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


PLANNERS = {'det': _plan_det, 'seg': _plan_seg, 'cls': _plan_cls,
            'pose': _plan_pose}


# --- what every task shares ---------------------------------------------

def _set_class_counts(plan: _Plan, task: str, count: int):
    """The class count of every head (a pose head's output channels)."""
    if task == 'pose':
        settings = [('model.head.out_channels',
                     plan.edit.get('model.head.out_channels'))]
    else:
        settings = [(path, value) for path, value, _ in
                    class_count_settings(plan.edit.get('model'), 'model')]
        if isinstance(plan.edit.get('data_preprocessor'), dict):
            settings += [(path.lstrip('.'), value) for path, value, _ in
                         class_count_settings(
                             {'data_preprocessor':
                              plan.edit.get('data_preprocessor')}, '')]
    changed = []
    for path, value in settings:
        if value != count:
            plan.edit.set(path, count)
            changed.append(path)
    what = 'keypoints' if task == 'pose' else 'classes'
    plan.summary.append(
        f'{count} {what}: set in ' + (', '.join(changed) or 'no key (the '
                                      'config already has that count)'))


def _scale_schedule(plan: _Plan, unit: str, new: int):
    """``--epochs`` / ``--iters``: the loop's length, and, in proportion,
    every scheduler counted in that unit (its begin, end, milestones,
    T_max), so that the schedule keeps its shape; validation and
    checkpoint intervals longer than the run are shortened to it."""
    key = 'max_epochs' if unit == 'epochs' else 'max_iters'
    old = plan.edit.get(('train_cfg', key))
    if old is None:
        other = 'iters' if unit == 'epochs' else 'epochs'
        raise ConfigCheckError(
            f'--{unit}: {plan.cfg.filename} does not train by {unit} '
            f'(train_cfg has no {key}); use --{other}')
    plan.edit.set(('train_cfg', key), new)
    changes = [f'train_cfg.{key} {old} -> {new}']

    def scaled(value):
        return max(1, round(value * new / old)) if value else value

    schedulers = plan.edit.get('param_scheduler') or []
    listed = isinstance(schedulers, list)
    for index, scheduler in enumerate(schedulers if listed else
                                      [schedulers]):
        if scheduler.get('by_epoch', True) != (unit == 'epochs'):
            continue
        path = ('param_scheduler', index) if listed else \
            ('param_scheduler', )
        for name in ('begin', 'end', 'T_max', 'milestones'):
            value = scheduler.get(name)
            if value is None:
                continue
            value_new = [scaled(m) for m in value] if name == 'milestones' \
                else scaled(value)
            if value_new != value:
                plan.edit.set(path + (name, ), value_new)
                changes.append(f'{".".join(map(str, path))}.{name} {value} '
                               f'-> {value_new}')
    for path in (('train_cfg', 'val_interval'),
                 ('default_hooks', 'checkpoint', 'interval')):
        if (plan.edit.get(path) or 0) > new:
            plan.edit.set(path, new)
            changes.append(f'{".".join(path)} -> {new}')
    plan.summary.append(f'--{unit} {new}: ' + '; '.join(changes))


def _apply_common(plan: _Plan):
    options = plan.options
    backbone_init = plan.edit.get('model.backbone.init_cfg')
    if options.no_pretrained:
        if isinstance(backbone_init, dict) and \
                backbone_init.get('type') == 'Pretrained':
            plan.edit.set('model.backbone.init_cfg', RANDOM_INIT, True)
            plan.summary.append(
                'backbone: random initialisation (--no-pretrained)')
        else:
            plan.summary.append('backbone: CONFIG loads no pretrained '
                                'weights (--no-pretrained changes nothing)')
    elif isinstance(backbone_init, dict) and \
            backbone_init.get('type') == 'Pretrained':
        plan.summary.append(
            f'backbone: initialised from {backbone_init.get("checkpoint")} '
            '(--no-pretrained on machines without internet)')
    if options.epochs is not None:
        _scale_schedule(plan, 'epochs', options.epochs)
    if options.iters is not None:
        _scale_schedule(plan, 'iters', options.iters)
    if options.batch_size is not None:
        plan.edit.set('train_dataloader.batch_size', options.batch_size)
        plan.summary.append(
            f'train batch size {options.batch_size} (auto_scale_lr: '
            'add --auto-scale-lr to tools/train.py to rescale the lr)')


def _check_written(out_file: str, task: str, classes: Sequence[str]):
    """Reads the written config back, checks it as the tools do and builds
    its datasets: their classes (keypoints) must be those surveyed."""
    from mmengine.registry import DATASETS, init_default_scope
    cfg = load_config(out_file)
    check_config(cfg)
    init_default_scope(cfg.default_scope)
    for split in ('train', 'val'):
        # pycocotools prints its progress.
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
        # The survey checks what it knows of; whatever else the library's
        # dataset refuses is still one line naming the split.
        except Exception as error:  # noqa: BLE001
            raise DatasetLayoutError(
                f'{out_file}: its {split} dataset cannot be built: '
                f'{type(error).__name__}: {error}') from None
        meta = dataset.metainfo
        found = meta.get('keypoint_id2name') if task == 'pose' else \
            meta.get('classes')
        if task == 'pose':
            found = tuple(found[i] for i in sorted(found))
        if tuple(found) != tuple(classes) or len(dataset) == 0:
            raise DatasetLayoutError(
                f'{out_file}: the {split} dataset built from it has '
                f'{len(dataset)} samples and the labels {found}, not '
                f'{list(classes)}')


def write_dataset_config(config: str, data_root: str, out_file: str,
                         options: DatasetOptions,
                         command: str = '') -> DatasetConfig:
    """Surveys the dataset in ``data_root`` for ``config``'s task, writes
    ``out_file`` (a config inheriting ``config``) and checks it. The
    header of the file quotes ``command``."""
    for number in ('epochs', 'iters', 'batch_size'):
        value = getattr(options, number)
        if value is not None and value < 1:
            raise ConfigCheckError(
                f'--{number.replace("_", "-")} {value}: give a positive '
                'number')
    cfg = load_config(config)
    task = _task_of(cfg)
    _check_options_apply(options, task)
    if not osp.isdir(data_root):
        raise ConfigCheckError(f'DATA_ROOT {data_root} is not a folder')
    if osp.abspath(out_file) == osp.abspath(config):
        raise ConfigCheckError(f'-o {out_file} would overwrite CONFIG')
    data_root = data_root.rstrip('/') + '/'
    plan = _Plan(cfg, data_root, options, task)
    classes = PLANNERS[task](plan)
    _set_class_counts(plan, task, len(classes))
    _apply_common(plan)
    header = (f'Generated by tools/dataset_config.py from {config} for the '
              f'data in {data_root}\n')
    if command:
        header += f'  {command}\n'
    if not osp.isabs(data_root):
        header += ('Data paths are relative to the folder the tools run '
                   'from.\n')
    header += ('It sets only what the data decides; edit the base config '
               'for the rest.')
    text = plan.edit.text(config, out_file, header)
    with open(out_file, 'w', encoding='utf-8') as file:
        file.write(text)
    try:
        _check_written(out_file, task, classes)
    except Exception:
        os.remove(out_file)  # a config that fails its checks is not kept
        raise
    return DatasetConfig(out_file, task, tuple(classes), plan.summary)
