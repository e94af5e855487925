"""Weights named by a URL: where mmengine keeps them, and fetching them once,
with one line instead of a traceback when they cannot be had.

mmengine loads an ``http(s)://`` checkpoint (``init_cfg=dict(
type='Pretrained', checkpoint=URL)``, ``load_from=URL``) through torch's
``load_state_dict_from_url``, which reads ``<torch hub dir>/checkpoints/
<file name>`` when it is there and downloads it otherwise. Fetching into
that same path before a run means the run finds the file, and a machine
without network access hears which file to put where.
"""
import os
import os.path as osp
import sys
import urllib.error
from typing import Optional
from urllib.parse import urlparse

from mmmoga.errors import CheckpointError

REMOTE_SCHEMES = ('http', 'https')


def is_remote(path) -> bool:
    """Whether ``path`` is a URL that mmengine downloads."""
    return isinstance(path, str) and urlparse(path).scheme in REMOTE_SCHEMES


def cached_weights_path(url: str) -> str:
    """Where mmengine (torch's ``load_state_dict_from_url``) keeps the file
    of ``url``."""
    import torch.hub
    return osp.join(torch.hub.get_dir(), 'checkpoints',
                    osp.basename(urlparse(url).path))


def fetch_weights(url: str, what: str, without: Optional[str] = None,
                  progress: Optional[bool] = None) -> str:
    """The local file of ``url``: the cached one, or downloaded now into the
    cache (announced in a line first). ``what`` names who asks for it (a
    config key, a model); ``without`` says how to go on without the file.

    Raises:
        CheckpointError: The file cannot be downloaded (no network, a
            refused connection, an HTTP error); the message names the URL,
            the path to put the file at by hand, and ``without``.
    """
    import torch.hub
    path = cached_weights_path(url)
    if osp.isfile(path):
        return path
    print(f'{what}: downloading {url} into {path}', flush=True)
    os.makedirs(osp.dirname(path), exist_ok=True)
    try:
        # torch writes a temporary file and moves it into place, so an
        # interrupted download leaves nothing at `path`.
        torch.hub.download_url_to_file(
            url, path, progress=sys.stderr.isatty() if progress is None
            else progress)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, 'reason', None) or error
        message = (f'{what}: cannot download {url} ({reason}); download it '
                   f'by hand to {path}')
        raise CheckpointError(
            message + (f', or {without}' if without else '')) from None
    return path
