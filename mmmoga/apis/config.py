"""Configs as the tools load them: the file, ``--cfg-options``, the launcher
and the work dir."""
import argparse
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config, DictAction

from mmmoga.errors import ConfigCheckError
from mmmoga.utils import add_allocator_argument


def add_runner_arguments(parser: argparse.ArgumentParser):
    """Adds --cfg-options, --launcher, --default-malloc and torchrun's
    --local-rank."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.batch_size=4 optim_wrapper.optimizer.lr=1e-4')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torchrun passes --local-rank (older launchers --local_rank).
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    add_allocator_argument(parser)


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """The config file ``path`` with ``--cfg-options`` merged in; a missing
    file is a :class:`ConfigCheckError`."""
    if not osp.isfile(path):
        raise ConfigCheckError(f'config file {path} does not exist')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


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
