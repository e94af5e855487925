import pytest
import torch

from helpers import GOLDEN_PATH


@pytest.fixture(scope='session')
def golden():
    """Outputs of the official MogaNet (see tests/data/moganet_reference.md)."""
    return torch.load(GOLDEN_PATH, weights_only=True)
