"""Publishing a trained checkpoint as OpenMMLab's ``publish_model.py`` does:
only the weights and the meta are kept, and the file name carries the first
8 hex digits of its SHA-256."""
import hashlib
import os
import os.path as osp
from typing import List, NamedTuple

import torch

from mmmoga.errors import CheckpointError

from .files import load_checkpoint_file

KEPT_KEYS = ('meta', 'state_dict')


class PublishedCheckpoint(NamedTuple):
    path: str            # OUT with -<8 hex digits of the SHA-256> before .pth
    sha256: str
    dropped: List[str]   # top-level keys of the source that were left out
    tensors: int


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as file:
        for block in iter(lambda: file.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def publish_checkpoint(src: str, out: str) -> PublishedCheckpoint:
    """Writes ``src``'s ``meta`` and ``state_dict`` (without the optimizer,
    the message hub, the schedulers, EMA copies or any other training state)
    to ``OUT-<hash prefix>.pth``.

    Raises:
        CheckpointError: ``src`` is no checkpoint, has no ``state_dict``, or
            ``out`` does not end with ``.pth``.
    """
    if not out.endswith('.pth'):
        raise CheckpointError(
            f'{out}: the published file name must end with .pth (the hash '
            'prefix goes before it)')
    checkpoint = load_checkpoint_file(src)
    if 'state_dict' not in checkpoint:
        raise CheckpointError(
            f'{src} has no state_dict (keys: {sorted(checkpoint)[:5]}); '
            'publish a checkpoint that tools/train.py wrote')
    kept = {key: checkpoint[key] for key in KEPT_KEYS if key in checkpoint}
    dropped = sorted(set(checkpoint) - set(KEPT_KEYS))
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    temporary = out + '.part'
    torch.save(kept, temporary)
    sha256 = file_sha256(temporary)
    final = f'{out[:-len(".pth")]}-{sha256[:8]}.pth'
    os.replace(temporary, final)
    return PublishedCheckpoint(final, sha256, dropped,
                               len(kept['state_dict']))
