"""Checkpoint files as the tools meet them: whether a file is a whole
checkpoint, the newest whole one of a work dir, and loading one safely."""
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional, Tuple

import torch

from mmmoga.errors import CheckpointError, UnsafeCheckpointError

from .safe_loading import load_local_checkpoint
from .safetensors_files import is_safetensors, safetensors_problem

# torch.save writes a zip archive; before torch 1.6 (and with
# _use_new_zipfile_serialization=False) a bare pickle stream, which starts
# with the PROTO opcode.
ZIP_MAGIC = b'PK\x03\x04'
PICKLE_MAGIC = b'\x80'


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a whole PyTorch checkpoint file (or safetensors
    file, by its ``.safetensors`` suffix), or None.

    Tells apart a missing file, a directory, an empty file, a file that is
    not a PyTorch file at all, a zip archive cut short (a kill while saving
    or copying) and one with a damaged record, without unpickling anything:
    it reads the file once and checks the CRC of every record of torch's zip
    format. A legacy (pickle-stream) file cannot be checked this way and
    passes.
    """
    if osp.isdir(path):
        return 'a directory, not a checkpoint file'
    if not osp.exists(path):
        return 'does not exist'
    size = osp.getsize(path)
    if size == 0:
        return 'empty file (0 bytes)'
    if is_safetensors(path):
        return safetensors_problem(path)
    try:
        with open(path, 'rb') as file:
            head = file.read(len(ZIP_MAGIC))
    except OSError as error:
        return f'cannot be read ({error.strerror})'
    if head.startswith(PICKLE_MAGIC):
        return None
    if head != ZIP_MAGIC:
        return (f'not a PyTorch checkpoint: it is neither a zip archive nor '
                f'a pickle (it starts with {head!r})')
    try:
        with zipfile.ZipFile(path) as archive:
            damaged = archive.testzip()
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return (f'not a complete checkpoint: {size} bytes, the end of its '
                'zip archive is missing (cut short while saving or copying)')
    if damaged is not None:
        return f'damaged: record {damaged} fails its CRC check'
    if not any(name.endswith('/data.pkl') for name in names):
        return 'a zip archive, but not a PyTorch checkpoint (no data.pkl)'
    return None


def _step_of(filename: str) -> int:
    match = re.search(r'(\d+)\.pth$', filename)
    return int(match.group(1)) if match else -1


def find_resumable_checkpoint(
        work_dir: str) -> Tuple[Optional[str], List[Tuple[str, str]]]:
    """The newest whole checkpoint in ``work_dir`` and the newer ones that
    are not, each with the reason.

    Candidates are the file ``last_checkpoint`` names, then the ``*.pth``
    files of ``work_dir`` from the highest epoch / iteration down.
    """
    candidates = []
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as file:
            named = file.read().strip()
        if named:
            candidates.append(named)
    if osp.isdir(work_dir):
        found = [
            osp.join(work_dir, name) for name in os.listdir(work_dir)
            if name.endswith('.pth')
        ]
        candidates += sorted(found, key=lambda p: _step_of(p), reverse=True)
    skipped, seen = [], set()
    for path in candidates:
        if osp.abspath(path) in seen:
            continue
        seen.add(osp.abspath(path))
        problem = checkpoint_problem(path)
        if problem is None:
            return path, skipped
        skipped.append((path, problem))
    return None, skipped


def load_checkpoint_file(path: str, trust: Optional[bool] = None) -> dict:
    """A local checkpoint for a tool, loaded safely.

    Args:
        path: The file.
        trust: ``None``: a file that safe loading refuses is an error.
            ``False``: likewise, and the message offers ``--trust``.
            ``True``: such a file is unpickled fully (it may run code), with
            a warning.

    Raises:
        CheckpointError: The file is not a whole checkpoint
            (:func:`checkpoint_problem`), safe loading refuses it, or it
            holds no dict.
    """
    problem = checkpoint_problem(path)
    if problem is not None:
        raise CheckpointError(f'checkpoint {path}: {problem}')
    try:
        checkpoint = load_local_checkpoint(path, map_location='cpu')
    except UnsafeCheckpointError as error:
        if not trust:
            hint = ' Or pass --trust to unpickle it fully.' if trust is \
                False else ''
            raise CheckpointError(f'{error}{hint}') from None
        print(f'warning: --trust: unpickling {path} fully; any code in it '
              'runs', flush=True)
        checkpoint = torch.load(path, map_location='cpu', weights_only=False)
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f'{path} holds a {type(checkpoint).__name__}, '
                              'not a checkpoint dict')
    return checkpoint
