"""Export to ONNX: the driver (``exporter``: a reparameterized model to an
ONNX file, checked before it is kept), one graph module per task
(``classifier``, ``segmentor``, ``pose``, ``detector``: each task's
post-processing and size-dependent layers in exportable operations) and the
comparison of a graph with PyTorch (``comparison``). Exported models at run
time live in :mod:`mmmoga.runtime`, which ``import mmmoga`` registers.

Imports :mod:`mmmoga.apis.run` (configs, reparameterized models) and the
layers below :mod:`mmmoga.apis`; no other room of it."""
from .exporter import (
           PARTS,
           Exported,
           export_graph,
           export_onnx,
           exported_module,
)

__all__ = ['PARTS', 'Exported', 'export_graph', 'export_onnx',
           'exported_module']
