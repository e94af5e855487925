"""Safe (``weights_only``) checkpoint loading for mmengine 0.10 on torch
>= 2.6.

torch 2.6 made ``torch.load(..., weights_only=True)`` the default: the
unpickler then only rebuilds tensors, containers and explicitly allowed
classes. mmengine 0.10.7 relies on the old default, and the checkpoints its
Runner saves hold numpy scalars and arrays and mmengine's ``HistoryBuffer``
(the message hub's logs); official MogaNet ImageNet checkpoints, written by
timm's trainer, hold an ``argparse.Namespace``. All of them fail to load.

Rather than turning safe loading off, :func:`allow_checkpoint_globals`
allow-lists exactly those classes, and :func:`load_local_checkpoint` replaces
mmengine's loader for local files so that a file needing anything else is
refused with an error naming the file and the offending global.
"""
import argparse
import os.path as osp
import pickle
import re

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from mmmoga.errors import UnsafeCheckpointError

from .safetensors_files import is_safetensors, read_safetensors

__all__ = [
    'SAFE_CHECKPOINT_GLOBALS', 'UnsafeCheckpointError',
    'allow_checkpoint_globals', 'load_local_checkpoint'
]


def _numpy_globals():
    multiarray = np.core.multiarray
    dtype_classes = [
        getattr(np.dtypes, name) for name in dir(np.dtypes)
        if name.endswith('DType') and name not in ('ObjectDType', 'VoidDType')
    ]
    return [multiarray.scalar, multiarray._reconstruct, np.ndarray, np.dtype,
            *dtype_classes]


def history_buffer_statistic(owner, name):
    """Loads what a checkpoint spells ``builtins.getattr(owner, name)``.

    ``HistoryBuffer`` pickles its statistics methods (``min``, ``max``, ...)
    by reference, i.e. as ``getattr(HistoryBuffer, 'min')``. Allowing
    ``getattr`` itself would let a file reach any attribute of any allowed
    object, so this stand-in resolves only methods that ``HistoryBuffer``
    defines itself.
    """
    if owner is not HistoryBuffer or not callable(
            HistoryBuffer.__dict__.get(name)):
        raise pickle.UnpicklingError(
            f'GLOBAL builtins.getattr is only allowed for HistoryBuffer '
            f'methods, not getattr({owner!r}, {name!r})')
    return getattr(owner, name)


# Everything a Runner checkpoint (meta, message hub, optimizer, scheduler)
# and an official MogaNet checkpoint need beyond torch's defaults.
SAFE_CHECKPOINT_GLOBALS = [
    HistoryBuffer, (history_buffer_statistic, 'builtins.getattr'),
    argparse.Namespace, *_numpy_globals()
]


def allow_checkpoint_globals():
    """Adds :data:`SAFE_CHECKPOINT_GLOBALS` to torch's safe-loading list."""
    torch.serialization.add_safe_globals(SAFE_CHECKPOINT_GLOBALS)


def load_local_checkpoint(filename, map_location=None):
    """Loads a local checkpoint with ``weights_only=True``, or a
    ``.safetensors`` file, which holds no pickle at all
    (:func:`~mmmoga.checkpoint.safetensors_files.read_safetensors`).

    Registered as mmengine's loader for local paths, so ``load_checkpoint``,
    ``init_cfg=dict(type='Pretrained', ...)`` and ``Runner.resume`` all use it.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        UnsafeCheckpointError: The file pickles a global that is not
            allow-listed; the message names the file and the global.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file {filename} does not exist')
    if is_safetensors(filename):  # nothing to unpickle; read on the CPU
        checkpoint = read_safetensors(filename)
        if isinstance(map_location, (str, torch.device)):
            checkpoint['state_dict'] = {
                name: tensor.to(map_location)
                for name, tensor in checkpoint['state_dict'].items()}
        return checkpoint
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as error:
        raise UnsafeCheckpointError(
            f'Refusing to load checkpoint {filename}: '
            f'{_refusal_reason(str(error))}. Loading it could run arbitrary '
            'code. If you trust the file, allow what it needs with '
            'torch.serialization.add_safe_globals([...]) before loading.'
        ) from None


def _refusal_reason(message):
    """The useful line of torch's long ``weights_only`` error."""
    unknown = re.search(r'Unsupported global: GLOBAL ([\w.]+)', message)
    if unknown:
        return f'it needs {unknown.group(1)}, which is not allow-listed'
    detail = message.split('WeightsUnpickler error:', 1)[-1]
    return detail.split('Check the documentation')[0].strip().rstrip('.')


def enable_safe_checkpoint_loading():
    """Installs the allow-list and the local-file loader (done on import)."""
    allow_checkpoint_globals()
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
