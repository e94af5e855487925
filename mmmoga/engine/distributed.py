"""Distributed runs on machines without a GPU (gloo over CPU processes)."""
import logging
import os
from typing import Any

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log


def prepare_distributed(cfg: Config):
    """Lets ``--launcher pytorch`` work on CPU-only machines.

    mmengine 0.10 always calls ``torch.cuda.set_device`` when it initialises
    a torchrun job and wraps the model in DDP with ``device_ids=[rank]``;
    both fail without a GPU. Here the process group is initialised first
    with the configured backend (which must then be gloo), and DDP is told
    that the model lives on the CPU; SyncBN layers, which PyTorch runs
    on GPUs only, become per-process BN (a warning says so). GPU runs are
    left to mmengine.
    """
    if cfg.get('launcher', 'none') != 'pytorch' or torch.cuda.is_available():
        return
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend')
    if backend != 'gloo':
        raise ValueError(
            f'No GPU is available, so distributed training needs the gloo '
            f'backend, but env_cfg.dist_cfg.backend is {backend!r}; pass '
            '--cfg-options env_cfg.dist_cfg.backend=gloo')
    if not dist.is_initialized():
        dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    if _replace_sync_bn(cfg.model):
        print_log(
            'No GPU: the SyncBN layers of the model run as BN, each process '
            'normalising over its own batch.',
            logger='current',
            level=logging.WARNING)
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))


def _replace_sync_bn(config: Any) -> bool:
    """Turns every ``dict(type='SyncBN', ...)`` inside ``config`` into BN,
    in place; returns whether there was one."""
    found = False
    if isinstance(config, dict):
        if config.get('type') in ('SyncBN', 'MMSyncBN'):
            config['type'] = 'BN'
            found = True
        for value in config.values():
            found |= _replace_sync_bn(value)
    elif isinstance(config, (list, tuple)):
        for value in config:
            found |= _replace_sync_bn(value)
    return found
