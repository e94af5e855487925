"""Exported models at run time: ONNX Runtime and OpenVINO sessions, and
``OnnxModel`` (registered on import), which turns a graph's outputs into
the task library's predictions for its evaluators and visualizers."""
from .onnx_model import OnnxModel
from .outputs import TASK_OUTPUTS
from .sessions import (
    BACKENDS,
    DRAWING_META,
    open_session,
    output_names,
    store_dataset_meta,
    stored_dataset_meta,
)

__all__ = ['OnnxModel', 'TASK_OUTPUTS', 'BACKENDS', 'DRAWING_META',
           'open_session',
           'output_names', 'store_dataset_meta', 'stored_dataset_meta']
