from .checkpoints import (AtomicCheckpointHook, AtomicLocalBackend,
                          atomic_write, checkpoint_problem,
                          find_resumable_checkpoint)
from .deploy_hook import MogaNetDeployHook
from .loss_hook import NonFiniteLossError, NonFiniteLossHook

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'atomic_write',
    'checkpoint_problem', 'find_resumable_checkpoint', 'MogaNetDeployHook',
    'NonFiniteLossError', 'NonFiniteLossHook'
]
