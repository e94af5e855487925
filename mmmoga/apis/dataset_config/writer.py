"""What every task shares: class counts, schedule and batch options, and
writing, reading back and checking the config."""
import contextlib
import io
import os
import os.path as osp
from typing import Sequence

from mmmoga.errors import ConfigCheckError, DatasetLayoutError
from mmmoga.tasks import task_of

from ..run.config import load_config
from ..run.config_checks import (
    CLASS_WEIGHT,
    check_config,
    class_count_settings,
    query_class_weights,
)
from ..run.training import RANDOM_INIT
from .plan import (
    DatasetConfig,
    DatasetOptions,
    Plan,
    check_options_apply,
)


def _set_class_counts(plan: Plan, task: str, count: int):
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
        if value != count and path.endswith(CLASS_WEIGHT):
            plan.edit.set(path, query_class_weights(plan.edit.get(path),
                                                    count))
            changed.append(path)
        elif value != count:
            plan.edit.set(path, count)
            changed.append(path)
    what = 'keypoints' if task == 'pose' else 'classes'
    plan.summary.append(
        f'{count} {what}: set in ' + (', '.join(changed) or 'no key (the '
                                      'config already has that count)'))


def _scale_schedule(plan: Plan, unit: str, new: int):
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


def _apply_common(plan: Plan):
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
    task = task_of(cfg)
    planner = task.load('planner')
    check_options_apply(options, task)
    if not osp.isdir(data_root):
        raise ConfigCheckError(f'DATA_ROOT {data_root} is not a folder')
    if osp.abspath(out_file) == osp.abspath(config):
        raise ConfigCheckError(f'-o {out_file} would overwrite CONFIG')
    data_root = data_root.rstrip('/') + '/'
    plan = Plan(cfg, data_root, options, planner.DEFAULT_LAYOUT)
    classes = planner.plan(plan)
    _set_class_counts(plan, task.name, len(classes))
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
        _check_written(out_file, task.name, classes)
    except Exception:
        os.remove(out_file)  # a config that fails its checks is not kept
        raise
    return DatasetConfig(out_file, task.name, tuple(classes), plan.summary)
