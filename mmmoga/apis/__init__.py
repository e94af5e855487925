"""What the tools call, one room per concern (``docs/architecture.md``):

* :mod:`~mmmoga.apis.run`: configs and their checks, the tools' command
  lines, training and testing set-ups, models by name,
  reparameterization of whole models. The room the others share.
* :mod:`~mmmoga.apis.export`: ONNX export, a graph module per task.
* :mod:`~mmmoga.apis.analysis`: FLOPs and speed, class activation maps,
  interaction strength.
* :mod:`~mmmoga.apis.dataset_config`: configs for one's own data.
* :mod:`~mmmoga.apis.pictures`: predictions drawn on one's own pictures:
  images, videos, large images in tiles, the web page.
* :mod:`~mmmoga.apis.toy_demos`: the toy demos (train, test, draw).
* :mod:`~mmmoga.apis.quantization`: INT8 and bfloat16 models for the CPU,
  behind an accuracy gate.

``run`` imports no other room; ``export``, ``analysis``,
``dataset_config`` and ``pictures`` import ``run`` and never each other;
``toy_demos`` may import ``run``, ``dataset_config`` and ``pictures``,
``quantization`` ``run`` and ``export``. Above models, checkpoint, datasets
and engine; below the tools and the zoo tables.

The names below are the package's public API, handed out here as before the
rooms existed.
"""
from .export import export_onnx
from .pictures import InferenceSettings, infer
from .run import (
    TOLERANCE,
    add_runner_arguments,
    check_backbone,
    check_checkpoint_paths,
    check_config,
    check_dataset_paths,
    get_config,
    get_inferencer,
    get_model,
    list_models,
    load_config,
    load_reparameterized_model,
    load_tool_config,
    prepare_testing,
    prepare_training,
    relative_difference,
    reparameterize_checkpoint,
    report_errors,
)
from .toy_demos import DEMOS, run_demo


def __getattr__(name):
    # The name before load_reparameterized_model, kept for one release.
    if name == 'load_deployed_model':
        import warnings
        warnings.warn(
            'mmmoga.apis.load_deployed_model is now '
            'load_reparameterized_model; the old name goes in the next '
            'release', DeprecationWarning, stacklevel=2)
        return load_reparameterized_model
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = [
    'report_errors', 'add_runner_arguments', 'load_config',
    'load_tool_config', 'check_backbone', 'check_checkpoint_paths',
    'check_config', 'check_dataset_paths', 'DEMOS', 'run_demo', 'TOLERANCE',
    'load_reparameterized_model', 'relative_difference',
    'reparameterize_checkpoint', 'export_onnx', 'InferenceSettings', 'infer',
    'prepare_testing', 'prepare_training', 'get_config', 'get_inferencer',
    'get_model', 'list_models'
]
