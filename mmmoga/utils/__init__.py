"""Helpers that know nothing of models, data or training."""
from .allocator import add_allocator_argument, tune_malloc
from .json_values import json_default
from .media import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from .progress import step, tracked
from .random_state import (
                           preserved_rng,
                           rng_states,
                           sample_seed,
                           seeded_rng,
                           set_rng_states,
)
from .text import counted
from .timing import median_seconds

__all__ = [
    'add_allocator_argument', 'tune_malloc', 'preserved_rng', 'rng_states',
    'sample_seed', 'seeded_rng', 'set_rng_states', 'median_seconds', 'counted',
    'step', 'tracked', 'json_default', 'IMAGE_SUFFIXES', 'VIDEO_SUFFIXES'
]
