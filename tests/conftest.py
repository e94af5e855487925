import pytest
import torch

from helpers import GOLDEN_PATH


@pytest.fixture(scope='session')
def golden():
    """Outputs of the official MogaNet (see tests/data/moganet_reference.md)."""
    return torch.load(GOLDEN_PATH, weights_only=True)


@pytest.fixture
def restore_default_scope():
    """The task libraries' init functions switch mmengine's default registry
    scope; later tests build 'LN2d' and others in the scope they found
    (mmpretrain's scope has its own 'LN2d'). Tests that switch it use this
    fixture to switch it back."""
    from mmengine.registry import DefaultScope, init_default_scope
    current = DefaultScope.get_current_instance()
    scope = current.scope_name if current is not None else 'mmengine'
    yield
    init_default_scope(scope)
