"""Training and testing machinery, registered in MMEngine's registries on
import: atomic checkpoints, resumable loops, the non-finite loss stop, the
deploy-mode test hook, the merged-groups optimizer constructor, bfloat16
mixed precision on a CPU (``CpuAmpOptimWrapper``); and the
runner policy of the tools (:func:`build_runner`)."""
from .checkpoint_fit_hook import CheckpointFitHook
from .checkpoints import AtomicCheckpointHook, AtomicLocalBackend, atomic_write
from .cpu_amp import (
                                 CpuAmpOptimWrapper,
                                 CpuAmpTestHook,
                                 bfloat16_backbone,
                                 cpu_has_bfloat16,
)
from .distributed import prepare_distributed
from .loss_hook import NonFiniteLossHook
from .optim_constructor import MergedGroupsOptimWrapperConstructor
from .reparameterize_hook import MogaNetReparameterizeHook
from .resumable_training import (
                                 ResumableBatchSampler,
                                 ResumableEpochBasedTrainLoop,
                                 ResumableIterBasedTrainLoop,
                                 ResumeStateHook,
                                 SampleIndex,
)
from .runner import (
                                 add_custom_hook,
                                 build_config_model,
                                 build_runner,
                                 make_training_resumable,
)
from .tool_logging import quiet_current_logger, quiet_logger

__all__ = [
    'AtomicCheckpointHook', 'AtomicLocalBackend', 'atomic_write',
    'CheckpointFitHook', 'CpuAmpOptimWrapper', 'CpuAmpTestHook',
    'bfloat16_backbone', 'cpu_has_bfloat16',
    'MogaNetReparameterizeHook', 'prepare_distributed',
    'MergedGroupsOptimWrapperConstructor', 'NonFiniteLossHook',
    'ResumableBatchSampler', 'ResumableEpochBasedTrainLoop',
    'ResumableIterBasedTrainLoop', 'ResumeStateHook', 'SampleIndex',
    'add_custom_hook', 'build_config_model', 'build_runner',
    'make_training_resumable', 'quiet_current_logger', 'quiet_logger'
]
