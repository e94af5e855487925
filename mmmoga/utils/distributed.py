"""Distributed runs on machines without a GPU (gloo over CPU processes)."""
import os

import torch
import torch.distributed as dist
from mmengine.config import Config


def prepare_distributed(cfg: Config):
    """Lets ``--launcher pytorch`` work on CPU-only machines.

    mmengine 0.10 always calls ``torch.cuda.set_device`` when it initialises
    a torchrun job and wraps the model in DDP with ``device_ids=[rank]``;
    both fail without a GPU. Here the process group is initialised first
    with the configured backend (which must then be gloo), and DDP is told
    that the model lives on the CPU. GPU runs are left to mmengine.
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
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
