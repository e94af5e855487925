from .safe_loading import (SAFE_CHECKPOINT_GLOBALS, UnsafeCheckpointError,
                           allow_checkpoint_globals,
                           enable_safe_checkpoint_loading,
                           load_local_checkpoint)

__all__ = [
    'SAFE_CHECKPOINT_GLOBALS', 'UnsafeCheckpointError',
    'allow_checkpoint_globals', 'enable_safe_checkpoint_loading',
    'load_local_checkpoint'
]
