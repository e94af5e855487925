"""A config for the user's own dataset: ``tools/dataset_config.py CONFIG
DATA_ROOT -o OUT.py`` surveys the data, then writes a thin config that
inherits CONFIG and sets what the data decides (paths, classes or keypoints,
the class count of every head, the evaluators' files) and reports what it
found.

Each task has its default layout under DATA_ROOT (that of its toy dataset:
the ``DEFAULT_LAYOUT`` of its planner module, ``det``, ``seg``, ``pose`` or
``cls``); options name what differs. The config written is read back and
checked as the tools check configs, and its datasets are built, before this
returns. ``thin_config`` writes the settings as a config
that inherits its base.

Imports :mod:`mmmoga.apis.run` (config loading and checks) and the layers
below :mod:`mmmoga.apis`; no other room of it.
"""
from .det import box_only_sibling
from .plan import DatasetConfig, DatasetOptions
from .writer import write_dataset_config

__all__ = ['DatasetOptions', 'DatasetConfig',
           'write_dataset_config', 'box_only_sibling']
