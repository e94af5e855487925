"""Classification data (class folders or annotation lists) and the settings
it decides."""
import os.path as osp
from typing import List, Tuple

from mmmoga.datasets.own_data import (
    count_table,
    survey_annotation_list,
    survey_class_folders,
)
from mmmoga.errors import ConfigCheckError

from .plan import (
    Plan,
    read_classes,
)

# Paths relative to DATA_ROOT, per option: the toy dataset's layout.
DEFAULT_LAYOUT = dict(
    train_img='train/', val_img='val/', train_ann=None,
    val_ann=None)
# The options that describe this task's data; another task's, given, is an
# error rather than ignored (plan.check_options_apply).
OPTIONS = ('train_ann', 'val_ann', 'train_img', 'val_img', 'classes')


def plan(plan: Plan) -> Tuple[str, ...]:
    train_ann = plan.path('train_ann')[0]
    surveys = {}
    if train_ann is None:
        classes = None
        for split in ('train', 'val'):
            folder, option = plan.full(f'{split}_img')
            surveys[split] = survey_class_folders(folder, option, classes)
            classes = surveys[split].classes
        given = read_classes(plan.options.classes, '--classes')
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
        names = read_classes(plan.options.classes, '--classes')
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


def _labels_in_lists(plan: Plan) -> List[str]:
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
