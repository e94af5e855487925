from .allocator import add_allocator_argument, tune_malloc
from .config_checks import (ConfigCheckError, DatasetNotFoundError,
                            check_backbone, check_checkpoint_paths,
                            check_config, check_dataset_paths)
from .distributed import prepare_distributed
from .official_checkpoints import (SOURCES, CheckpointLayoutError,
                                   convert_official_checkpoint,
                                   imagenet_to_backbone,
                                   imagenet_to_classifier, official_weights)
from .tool_config import (add_runner_arguments, build_config_model,
                          build_runner, load_checkpoint_file, load_config,
                          load_tool_config)
from .safe_loading import (SAFE_CHECKPOINT_GLOBALS, UnsafeCheckpointError,
                           allow_checkpoint_globals,
                           enable_safe_checkpoint_loading,
                           load_local_checkpoint)

__all__ = [
    'add_allocator_argument', 'tune_malloc',
    'ConfigCheckError', 'DatasetNotFoundError', 'check_backbone',
    'check_checkpoint_paths', 'check_config', 'check_dataset_paths',
    'prepare_distributed', 'add_runner_arguments', 'build_config_model',
    'build_runner',
    'load_checkpoint_file', 'load_config', 'load_tool_config',
    'SAFE_CHECKPOINT_GLOBALS', 'UnsafeCheckpointError',
    'allow_checkpoint_globals', 'enable_safe_checkpoint_loading',
    'load_local_checkpoint', 'CheckpointLayoutError', 'imagenet_to_backbone',
    'imagenet_to_classifier', 'official_weights', 'SOURCES',
    'convert_official_checkpoint'
]
