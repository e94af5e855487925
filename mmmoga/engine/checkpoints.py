"""Checkpoints that survive a kill at any moment (finding the newest whole
one is :func:`mmmoga.checkpoint.find_resumable_checkpoint`).

mmengine's ``LocalBackend`` writes a checkpoint in place, its
``CheckpointHook`` deletes the oldest kept checkpoint *before* saving the new
one and then rewrites ``last_checkpoint`` in place. A kill while saving can
therefore leave a truncated newest file, ``last_checkpoint`` pointing at it,
and (with ``max_keep_ckpts=1``) no good checkpoint at all. Here every file is
written to a temporary file in the same directory, flushed, fsynced and
renamed into place (``os.replace`` is atomic within a file system), and the
hook deletes old checkpoints only once the new one and ``last_checkpoint``
are in place.
"""
import os
import os.path as osp
import tempfile
from typing import Union

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend, register_backend
from mmengine.hooks import CheckpointHook
from mmengine.registry import HOOKS

ATOMIC_BACKEND = 'atomic_local'


def atomic_write(data: Union[bytes, str], path: str):
    """Writes ``data`` to ``path`` so that ``path`` holds either its old
    content or all of ``data``, whenever the process dies."""
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(descriptor, 'wb') as file:
            file.write(data.encode('utf-8') if isinstance(data, str) else data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if osp.exists(temporary):
            os.remove(temporary)
        raise
    # The rename itself is made durable by syncing the directory.
    directory_descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_descriptor)
    finally:
        os.close(directory_descriptor)


@register_backend(ATOMIC_BACKEND)
class AtomicLocalBackend(LocalBackend):
    """mmengine's local file backend with atomic ``put`` / ``put_text``
    (:func:`atomic_write`); select it with
    ``backend_args=dict(backend='atomic_local')``."""

    def put(self, obj: bytes, filepath) -> None:
        atomic_write(obj, str(filepath))

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        atomic_write(obj.encode(encoding), str(filepath))


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` whose checkpoints and ``last_checkpoint`` are
    written atomically, deleting old checkpoints only after the new one is
    in place. Takes the same arguments; local checkpoints use
    :class:`AtomicLocalBackend` unless ``backend_args`` names a backend.
    The tools use it in place of every ``CheckpointHook``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.backend_args and self.file_client_args is None:
            self.backend_args = dict(backend=ATOMIC_BACKEND)

    def _save_checkpoint_with_step(self, runner, step, meta):
        # What will be kept is recorded before saving, so that the
        # checkpoint carries it (as mmengine's hook does); the files that
        # drop out are deleted only after the new checkpoint is complete.
        dropped = []
        if self.max_keep_ckpts > 0:
            kept = list(self.keep_ckpt_ids)
            if not kept or kept[-1] != step:
                kept.append(step)
            dropped = kept[:-self.max_keep_ckpts]
            kept = kept[-self.max_keep_ckpts:]
            runner.message_hub.update_info('keep_ckpt_ids', kept)
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        runner.save_checkpoint(
            self.out_dir,
            filename,
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if self.max_keep_ckpts > 0:
            self.keep_ckpt_ids.clear()
            self.keep_ckpt_ids.extend(kept)
        if not is_main_process():
            return
        atomic_write(self.last_ckpt, osp.join(runner.work_dir,
                                              'last_checkpoint'))
        for old_step in dropped:
            path = self.file_backend.join_path(
                self.out_dir, self.filename_tmpl.format(old_step))
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                self.file_backend.rmtree(path)
