"""Random states saved, restored and seeded: Python's ``random``, NumPy's
global generator and torch's, together."""
import random
from contextlib import contextmanager
from typing import Tuple

import numpy as np
import torch


def sample_seed(place: Tuple[int, ...]) -> int:
    """A 32-bit seed mixed from the numbers of ``place``."""
    entropy = [int(number) % 2**32 for number in place]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def rng_states() -> dict:
    """The states of Python's, NumPy's global and torch's random number
    generators, in types that a ``weights_only`` load accepts."""
    name, keys, position, has_gauss, cached_gaussian = np.random.get_state()
    states = dict(
        python=random.getstate(),
        numpy=dict(name=name, keys=torch.from_numpy(keys.astype(np.int64)),
                   position=int(position), has_gauss=int(has_gauss),
                   cached_gaussian=float(cached_gaussian)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        states['cuda'] = torch.cuda.get_rng_state_all()
    return states


def set_rng_states(states: dict):
    """Restores what :func:`rng_states` returned."""
    version, internal, gauss = states['python']
    random.setstate((version, tuple(internal), gauss))
    numpy_state = states['numpy']
    np.random.set_state(
        (numpy_state['name'], numpy_state['keys'].numpy().astype(np.uint32),
         numpy_state['position'], numpy_state['has_gauss'],
         numpy_state['cached_gaussian']))
    torch.set_rng_state(states['torch'])
    if 'cuda' in states and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(states['cuda'])


@contextmanager
def preserved_rng():
    """Runs the block without changing the random states outside it."""
    states = rng_states()
    try:
        yield
    finally:
        set_rng_states(states)


@contextmanager
def seeded_rng(seed: int):
    """Runs the block with Python's, NumPy's and torch's CPU generators
    seeded with ``seed``, and restores their states afterwards."""
    with preserved_rng():
        random.seed(seed)
        np.random.seed(seed)
        # Only the CPU generator: torch.manual_seed would also queue a seed
        # for CUDA generators that are not initialised yet.
        torch.default_generator.manual_seed(seed)
        yield
