"""Weights as ``.safetensors`` files: a header of tensor names, shapes and
offsets, then the raw tensor data. Reading one never unpickles anything, so
a file cannot run code; it holds tensors and a string-to-string metadata
table only.

Our checkpoints' ``meta`` (the dataset's class names, the mmmoga version)
travels as JSON under the metadata key :data:`META_KEY`; a file read back is
a checkpoint dict like those ``torch.load`` gives, ``{'state_dict': ...,
'meta': ...}``, so every loader of ours and mmengine's (``load_checkpoint``,
``init_cfg=dict(type='Pretrained')``, the tools) takes either format.
"""
import json
import os
import os.path as osp
from typing import Dict, Mapping, Optional

import torch

from mmmoga.errors import CheckpointError
from mmmoga.utils import json_default

SUFFIX = '.safetensors'
# The file name timm and the Hugging Face Hub look for in a model folder.
HUB_WEIGHTS = 'model.safetensors'
META_KEY = 'mmmoga_meta'
FORMAT_KEY = 'format'  # 'pt', as transformers and timm write it


def is_safetensors(path: str) -> bool:
    return str(path).endswith(SUFFIX)


def _safetensors():
    try:
        import safetensors.torch
    except ImportError:
        raise CheckpointError(
            '.safetensors files need the safetensors package: pip install '
            'safetensors (it comes with every extra of mmmoga)') from None
    return safetensors


def safetensors_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a readable safetensors file, or None. Reads the
    header only, and checks that the data it describes is all there."""
    safetensors = _safetensors()
    try:
        with safetensors.safe_open(path, framework='pt') as file:
            names = list(file.keys())
    except (OSError, safetensors.SafetensorError) as error:
        return f'not a readable safetensors file ({error})'
    if not names:
        return 'a safetensors file without tensors'
    return None


def read_safetensors(path: str) -> Dict:
    """``{'state_dict': tensors, 'meta': meta}`` from a safetensors file.

    Raises:
        CheckpointError: The file is missing or not readable as safetensors.
    """
    problem = safetensors_problem(path) if osp.isfile(path) else \
        'does not exist'
    if problem is not None:
        raise CheckpointError(f'checkpoint {path}: {problem}')
    safetensors = _safetensors()
    with safetensors.safe_open(path, framework='pt') as file:
        metadata = file.metadata() or {}
        state_dict = {name: file.get_tensor(name) for name in file.keys()}
    checkpoint = dict(state_dict=state_dict)
    if META_KEY in metadata:
        try:
            checkpoint['meta'] = json.loads(metadata[META_KEY])
        except json.JSONDecodeError as error:
            raise CheckpointError(
                f'checkpoint {path}: its {META_KEY} metadata is not JSON '
                f'({error})') from None
    return checkpoint


def write_safetensors(state_dict: Mapping[str, torch.Tensor], path: str,
                      meta: Optional[Mapping] = None):
    """Writes ``state_dict`` (and ``meta``, JSON with numpy values as lists)
    to
    ``path``, atomically: a reader never sees half a file.

    Tensors that share memory (a tied weight) are written once each, as
    copies: safetensors stores no aliasing.
    """
    safetensors = _safetensors()
    tensors = {name: tensor.detach().contiguous().clone()
               for name, tensor in state_dict.items()}
    metadata = {FORMAT_KEY: 'pt'}
    if meta:
        metadata[META_KEY] = json.dumps(meta, sort_keys=True,
                                        default=json_default)
    temporary = path + '.part'
    safetensors.torch.save_file(tensors, temporary, metadata=metadata)
    os.replace(temporary, path)


def weights_in(path: str) -> str:
    """The weights file ``path`` names: itself, or for a model folder (a
    Hub-ready one of ``tools/publish_model.py --hf-dir``) the
    ``model.safetensors`` inside it."""
    if osp.isdir(path):
        inside = osp.join(path, HUB_WEIGHTS)
        if not osp.isfile(inside):
            raise CheckpointError(
                f'{path} is a folder without {HUB_WEIGHTS}: pass a '
                'checkpoint file or a folder of tools/publish_model.py '
                '--hf-dir')
        return inside
    return path
