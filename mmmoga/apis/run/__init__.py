"""What the tools call to run a model: config loading (``config``) and its
checks (``config_checks``), the tools' command lines and one-line errors
(``cli``), training and testing set-ups (``training``, ``testing``),
models and configs by name
(``model``: ``get_model`` and friends) and reparameterization of whole
models (``reparameterization``).

This is the room the other rooms of :mod:`mmmoga.apis` share: ``export``,
``analysis``, ``dataset_config``, ``pictures``, ``toy_demos`` and
``quantization`` may import it; it imports
none of them."""
from .cli import report_errors
from .config import add_runner_arguments, load_config, load_tool_config
from .config_checks import (
    check_backbone,
    check_checkpoint_paths,
    check_config,
    check_dataset_paths,
)
from .model import get_config, get_inferencer, get_model, list_models
from .reparameterization import (
    TOLERANCE,
    load_reparameterized_model,
    relative_difference,
    reparameterize_checkpoint,
)
from .testing import prepare_testing
from .training import prepare_training

__all__ = [
    'report_errors', 'add_runner_arguments', 'load_config',
    'load_tool_config', 'check_backbone', 'check_checkpoint_paths',
    'check_config', 'check_dataset_paths',
    'get_config', 'get_inferencer', 'get_model', 'list_models', 'TOLERANCE',
    'load_reparameterized_model', 'relative_difference',
    'reparameterize_checkpoint', 'prepare_testing', 'prepare_training'
]
