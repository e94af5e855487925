"""Exported models at run time: ONNX Runtime and OpenVINO sessions, and
``OnnxModel`` (registered on import), which turns a graph's outputs into
the task library's predictions for its evaluators and visualizers."""
from .onnx_model import OnnxModel
from .outputs import TASK_OUTPUTS
from .sessions import (
    BACKENDS,
    DATASET_META_KEY,
    DRAWING_META,
    EXPORTED_SUFFIXES,
    ONNX_SUFFIX,
    OPENVINO_IR_SUFFIX,
    PRECISION_KEY,
    check_backend,
    compiled_model_session,
    default_backend,
    drawing_meta_json,
    is_exported,
    open_session,
    output_names,
    store_dataset_meta,
    stored_dataset_meta,
)

__all__ = ['OnnxModel', 'TASK_OUTPUTS', 'BACKENDS', 'DATASET_META_KEY',
           'DRAWING_META', 'EXPORTED_SUFFIXES', 'ONNX_SUFFIX',
           'OPENVINO_IR_SUFFIX', 'PRECISION_KEY', 'check_backend',
           'compiled_model_session',
           'default_backend', 'drawing_meta_json', 'is_exported',
           'open_session', 'output_names', 'store_dataset_meta',
           'stored_dataset_meta']
