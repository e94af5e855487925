"""What the tools call: config loading and checks, training and testing
set-ups, inference for every task, deploy mode, export to ONNX, the demos.
Above models, checkpoint, datasets and engine; below the tools."""
from .cli import report_errors
from .config import add_runner_arguments, load_config, load_tool_config
from .config_checks import (
                            check_backbone,
                            check_checkpoint_paths,
                            check_config,
                            check_dataset_paths,
)
from .demo import DEMOS, run_demo
from .deploy import (
                            TOLERANCE,
                            load_deployed_model,
                            relative_difference,
                            reparameterize_checkpoint,
)
from .export import export_onnx
from .inference import InferenceSettings, infer
from .model_zoo import get_config, get_inferencer, get_model, list_models
from .testing import prepare_testing
from .training import prepare_training

__all__ = [
    'report_errors', 'add_runner_arguments', 'load_config',
    'load_tool_config', 'check_backbone', 'check_checkpoint_paths',
    'check_config', 'check_dataset_paths', 'DEMOS', 'run_demo', 'TOLERANCE',
    'load_deployed_model', 'relative_difference',
    'reparameterize_checkpoint', 'export_onnx', 'InferenceSettings', 'infer',
    'prepare_testing', 'prepare_training', 'get_config', 'get_inferencer',
    'get_model', 'list_models'
]
