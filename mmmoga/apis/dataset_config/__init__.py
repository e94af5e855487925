"""A config for the user's own dataset: ``tools/dataset_config.py CONFIG
DATA_ROOT -o OUT.py`` surveys the data, then writes a thin config that
inherits CONFIG and sets what the data decides (paths, classes or keypoints,
the class count of every head, the evaluators' files) and reports what it
found.

Each task has its default layout under DATA_ROOT (that of its toy dataset,
:data:`DEFAULT_LAYOUTS`); options name what differs. The config written is
read back and checked as the tools check configs, and its datasets are
built, before this returns.
"""
from .det import box_only_sibling
from .plan import DEFAULT_LAYOUTS, DatasetConfig, DatasetOptions
from .writer import write_dataset_config

__all__ = ['DatasetOptions', 'DatasetConfig', 'DEFAULT_LAYOUTS',
           'write_dataset_config', 'box_only_sibling']
