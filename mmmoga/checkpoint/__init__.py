"""Checkpoint files: safe loading (installed by ``import mmmoga``), the
diagnosis of a file the tools are given, the conversion of official
MogaNet checkpoints, publishing a trained one, and weights named by a URL
(fetched once, or one line saying where to put them)."""
from .files import (
                    checkpoint_problem,
                    find_resumable_checkpoint,
                    load_checkpoint_file,
)
from .official import (
                    SOURCE_NAMES,
                    SOURCES,
                    check_against_model,
                    convert_official_checkpoint,
                    imagenet_to_backbone,
                    imagenet_to_classifier,
                    official_weights,
)
from .publish import PublishedCheckpoint, file_sha256, publish_checkpoint
from .remote import cached_weights_path, fetch_weights, is_remote
from .safe_loading import (
                    SAFE_CHECKPOINT_GLOBALS,
                    allow_checkpoint_globals,
                    enable_safe_checkpoint_loading,
                    load_local_checkpoint,
)

__all__ = [
    'checkpoint_problem', 'find_resumable_checkpoint', 'load_checkpoint_file',
    'SOURCE_NAMES', 'SOURCES', 'check_against_model',
    'convert_official_checkpoint', 'imagenet_to_backbone',
    'imagenet_to_classifier', 'official_weights', 'SAFE_CHECKPOINT_GLOBALS',
    'allow_checkpoint_globals', 'enable_safe_checkpoint_loading',
    'load_local_checkpoint', 'PublishedCheckpoint', 'file_sha256',
    'publish_checkpoint', 'cached_weights_path', 'fetch_weights', 'is_remote'
]
