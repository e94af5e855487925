from .checkpoints import (AtomicCheckpointHook, AtomicLocalBackend,
                          atomic_write, checkpoint_problem,
                          find_resumable_checkpoint)
from .deploy_hook import MogaNetDeployHook
from .loss_hook import NonFiniteLossError, NonFiniteLossHook
from .optim_constructor import MergedGroupsOptimWrapperConstructor
from .resumable_training import (ResumableBatchSampler,
                                 ResumableEpochBasedTrainLoop,
                                 ResumableIterBasedTrainLoop, ResumeStateHook,
                                 SampleIndex)

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'atomic_write',
    'checkpoint_problem', 'find_resumable_checkpoint', 'MogaNetDeployHook',
    'MergedGroupsOptimWrapperConstructor', 'NonFiniteLossError',
    'NonFiniteLossHook', 'ResumableBatchSampler',
    'ResumableEpochBasedTrainLoop', 'ResumableIterBasedTrainLoop',
    'ResumeStateHook', 'SampleIndex'
]
