"""The plan of a config for one's own data: the options, the layouts of
each task, and the settings being made over the base config."""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from mmmoga.errors import ConfigCheckError

from ..config_checks import (
    DATASET_WRAPPER_KEYS,
)
from ..thin_config import Path, ThinConfig, parse_key

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


class Plan:
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



def check_options_apply(options: DatasetOptions, task: str):
    defaults = DatasetOptions()
    for name in TASK_OPTIONS['det'] + TASK_OPTIONS['seg'] + \
            TASK_OPTIONS['pose'] + TASK_OPTIONS['cls']:
        if name not in TASK_OPTIONS[task] and \
                getattr(options, name) != getattr(defaults, name):
            users = [t for t, names in TASK_OPTIONS.items() if name in names]
            raise ConfigCheckError(
                f'--{name.replace("_", "-")} applies to {", ".join(users)} '
                f'configs only; CONFIG is a {task} config')


def task_of(cfg: Config) -> str:
    scope = cfg.get('default_scope')
    if scope not in TASKS:
        raise ConfigCheckError(
            f'{cfg.filename}: default_scope {scope!r} is none of '
            f'{", ".join(TASKS)}: start from a config of configs/<task>/')
    return TASKS[scope]


def read_classes(text: Optional[str], option: str) -> Optional[List[str]]:
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


# --- COCO-style annotation files (detection and pose) -----------------

def survey_coco_splits(plan: Plan, survey) -> Dict:
    """Split -> ``survey(ann_file, img_dir, ann_option, img_option)`` of
    the train and val splits of a COCO-style dataset."""
    splits = {}
    for split in ('train', 'val'):
        ann, ann_option = plan.full(f'{split}_ann')
        img, img_option = plan.full(f'{split}_img')
        splits[split] = survey(ann, img, ann_option, img_option)
    return splits


def set_coco_paths(plan: Plan):
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
