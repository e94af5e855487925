"""Configs as the tools load them: the file, ``--cfg-options``, the launcher
and the work dir."""
import argparse
import copy
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config

from mmmoga.errors import ConfigCheckError
from mmmoga.tasks import TASKS_BY_SCOPE
from mmmoga.utils import add_allocator_argument

from .cli import add_cfg_options_argument


def add_runner_arguments(parser: argparse.ArgumentParser):
    """Adds --cfg-options, --launcher, --verbose, --default-malloc and
    torchrun's --local-rank."""
    add_cfg_options_argument(parser)
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torchrun passes --local-rank (older launchers --local_rank).
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--verbose',
        action='store_true',
        help='print the environment, the config and the order of the hooks '
        '(always in the log file in the work dir), and the optimizer\'s '
        'setting for each parameter')
    add_allocator_argument(parser)


# What mmengine's Config reads.
CONFIG_SUFFIXES = ('.py', '.json', '.yaml', '.yml')


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """The config file ``path`` with ``--cfg-options`` merged in; a file that
    is missing or cannot be read as a config is a
    :class:`ConfigCheckError`."""
    if not osp.isfile(path):
        raise ConfigCheckError(f'config file {path} does not exist')
    if not path.endswith(CONFIG_SUFFIXES):
        raise ConfigCheckError(
            f'config file {path}: mmengine reads {", ".join(CONFIG_SUFFIXES)}'
            ' files')
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as error:
        where = f' at line {error.lineno}' if error.lineno else ''
        raise ConfigCheckError(
            f'config file {error.filename or path} is not valid Python: '
            f'{error.msg}{where}') from None
    except (NameError, KeyError, ImportError, FileNotFoundError) as error:
        if isinstance(error, ImportError):
            # A `mmpose::` base where MMPose does not import: what to
            # install (mmengine says only that the package is missing).
            for scope, task in TASKS_BY_SCOPE.items():
                if scope in str(error):
                    task.check_library()
        # An undefined name, a {{_base_.x}} or a base that does not exist.
        raise ConfigCheckError(
            f'config file {path} cannot be read: '
            f'{type(error).__name__}: {error}') from None
    _drop_package_scope(cfg._cfg_dict)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    task = TASKS_BY_SCOPE.get(cfg.get('default_scope'))
    if task is not None:
        # Before anything builds in the library's scope: mmengine's
        # registries skip a library that fails to import, so the first
        # sign would be a KeyError for one of its types (or MMPose's own
        # assertion under mmcv 2.2 and later).
        task.check_library()
    return cfg


def _drop_package_scope(node):
    """Removes ``_scope_='mmmoga'``, which mmengine gives every settings dict
    with a ``type`` that a config inherits from ``mmmoga::...`` and that had
    no scope yet (our configs' own pipelines, schedulers, optimizer).

    A workaround: mmmoga has no registry of its own (it registers in
    MMEngine's root registries), so those dicts would be built in the root
    registry, where ``PackDetInputs`` and the like are missing. Without the
    key they are built in the config's ``default_scope``, as when our config
    is used directly."""
    if isinstance(node, dict):
        if node.get('_scope_') == 'mmmoga':
            del node['_scope_']
        for value in node.values():
            _drop_package_scope(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _drop_package_scope(value)


def load_tool_config(args: argparse.Namespace) -> Config:
    """Loads ``args.config`` with the options of :func:`add_runner_arguments`
    and ``args.work_dir`` applied (default: ./work_dirs/<config name>)."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    work_dir: Optional[str] = getattr(args, 'work_dir', None)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def test_pipeline(cfg: Config):
    """The config's test pipeline, built in the config's registry scope
    (whatever the default scope of the process is)."""
    from mmengine.dataset import Compose
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        return Compose(cfg.test_dataloader.dataset.pipeline)


def test_dataset_meta(cfg: Config) -> dict:
    """The meta of the config's test dataset as the dataset builds it (its
    class's ``_load_metainfo`` of the config's ``metainfo``: mmpose's parses
    a keypoint meta), without loading any annotation. Wrappers such as
    ``CheckedDataset`` are looked through to the dataset they wrap."""
    from mmengine.registry import DATASETS
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:
        dataset = dataset['dataset']
    with DATASETS.switch_scope_and_registry(cfg.default_scope) as registry:
        dataset_class = registry.get(dataset['type'])
    return dataset_class._load_metainfo(copy.deepcopy(dataset.get(
        'metainfo')))
