"""The plan of a config for one's own data: the options, and the settings
being made over the base config. Each task's layout, options and planning
are in its planner module (the ``planner`` of its row in mmmoga.tasks)."""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from mmmoga.errors import ConfigCheckError
from mmmoga.tasks import TASKS, Task

from ..run.config_checks import (
    DATASET_WRAPPER_KEYS,
)
from .thin_config import Path, ThinConfig, parse_key


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
                 options: DatasetOptions, layout: Dict[str, Optional[str]]):
        self.cfg = cfg
        self.edit = ThinConfig(cfg)
        self.data_root = data_root
        self.options = options
        self.layout = dict(layout)
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



def check_options_apply(options: DatasetOptions, task: Task):
    """Refuses an option that describes another task's data (given, it
    would be ignored)."""
    defaults = DatasetOptions()
    users: Dict[str, List[str]] = {}
    for other in TASKS.values():
        for name in other.load('planner').OPTIONS:
            users.setdefault(name, []).append(other.name)
    for name, tasks in users.items():
        if task.name not in tasks and \
                getattr(options, name) != getattr(defaults, name):
            raise ConfigCheckError(
                f'--{name.replace("_", "-")} applies to {", ".join(tasks)} '
                f'configs only; CONFIG is a {task.name} config')


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
