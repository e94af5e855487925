"""An exported model as an MMEngine model: ``tools/test.py CONFIG model.onnx``
runs the config's own test dataset, evaluator and visualizer on it."""
from typing import Dict, Iterator, List, Optional

import numpy as np
import torch
from mmengine.model import BaseModel
from mmengine.registry import MODELS

from mmmoga.errors import ConfigCheckError, ConversionError

from .outputs import PER_IMAGE_INPUTS, TASK_OUTPUTS
from .sessions import open_session, output_names, runtime_error_line


@MODELS.register_module()
class OnnxModel(BaseModel):
    """Predicts with an exported model in ONNX Runtime or OpenVINO: an ONNX
    file (``tools/export_onnx.py``, ``tools/quantize.py``) or an OpenVINO IR
    (``tools/quantize.py``).

    The config's data preprocessor prepares the batch as for the PyTorch
    model; the graph's outputs become the task library's predictions
    (:mod:`mmmoga.runtime.outputs`, chosen by the graph's output names).

    Args:
        model_file: The exported model (.onnx, or an OpenVINO IR .xml).
        backend: ``'onnxruntime'`` or ``'openvino'``.
        data_preprocessor: The PyTorch model's data preprocessor config.
        align_corners: How segmentation logits are resized to the image
            (the decode head's ``align_corners``).
        mask_thr_binary: Where a detector's mask probabilities become the
            mask (the R-CNN test setting of the same name).
    """

    def __init__(self, model_file: str, backend: str = 'onnxruntime',
                 data_preprocessor: Optional[dict] = None,
                 align_corners: bool = False,
                 mask_thr_binary: float = 0.5):
        super().__init__(data_preprocessor=data_preprocessor)
        names = tuple(output_names(model_file))
        if names not in TASK_OUTPUTS:
            raise ConversionError(
                f'{model_file} has the outputs {list(names)}; tools/test.py '
                'evaluates the whole models tools/export_onnx.py writes '
                f'(outputs {" or ".join(map(str, map(list, TASK_OUTPUTS)))})')
        self.model_file = model_file
        self.backend = backend
        self.session = open_session(model_file, backend)
        self.to_predictions = TASK_OUTPUTS[names]
        self.align_corners = align_corners
        self.mask_thr_binary = mask_thr_binary

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'predict'):
        if mode != 'predict':
            raise ConfigCheckError(
                f'an ONNX model only predicts (mode {mode!r} asked)')
        per_image = self.to_predictions in PER_IMAGE_INPUTS
        for index, graph_inputs in enumerate(
                self.graph_inputs(inputs, data_samples)):
            outputs = self._run(graph_inputs)
            if not per_image:
                return self.to_predictions(outputs, data_samples, self)
            self.to_predictions(outputs, [data_samples[index]], self)
        return data_samples

    def graph_inputs(self, inputs: torch.Tensor,
                     data_samples: Optional[List] = None
                     ) -> Iterator[Dict[str, np.ndarray]]:
        """The graph's inputs for a preprocessed batch: the batch at once,
        or one image at a time with its own inputs (a detector's image
        shape and scale factor). Calibration of a quantized model reads the
        same (:mod:`mmmoga.apis.quantization`)."""
        image = inputs.detach().cpu().float().contiguous().numpy()
        extra_inputs = PER_IMAGE_INPUTS.get(self.to_predictions)
        if extra_inputs is None:
            yield dict(image=image)
            return
        for index, data_sample in enumerate(data_samples):
            yield dict(image=image[index:index + 1],
                       **extra_inputs(data_sample))

    def _run(self, inputs: dict) -> dict:
        try:
            return self.session(inputs)
        # The runtimes' errors share no base class; a wrong input size is
        # the one a user meets (a graph exported for a fixed size).
        except Exception as error:  # noqa: BLE001
            raise ConversionError(
                f'{self.backend} cannot run {self.model_file} on an input of '
                f'shape {list(inputs["image"].shape)} (a graph exported for '
                'a fixed image size takes that size only): '
                f'{runtime_error_line(error)}') from None
