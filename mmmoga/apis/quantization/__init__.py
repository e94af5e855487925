"""INT8 and bfloat16 models for the CPU (``tools/quantize.py``): the
quantizers (``backends``: ONNX Runtime's static QDQ, NNCF for OpenVINO, a
bfloat16 IR), the calibration images (``calibration``: the config's
training set through its test pipeline), the accuracy of an exported model
on the config's test set (``evaluation``) and the driver with its accuracy
gate and remedies (``quantizer``).

Imports :mod:`mmmoga.apis.run` and :mod:`mmmoga.apis.export` (the float
model it quantizes is the exported one) and the layers below
:mod:`mmmoga.apis`."""
from .quantizer import (
    DEFAULT_CALIB_IMAGES,
    DEFAULT_MAX_DROP,
    PRECISIONS,
    Attempt,
    Quantized,
    quantize_model,
    refusal,
)

__all__ = ['DEFAULT_CALIB_IMAGES', 'DEFAULT_MAX_DROP', 'PRECISIONS',
           'Attempt', 'Quantized', 'quantize_model', 'refusal']
