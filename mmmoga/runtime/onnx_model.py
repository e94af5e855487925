"""An exported model as an MMEngine model: ``tools/test.py CONFIG model.onnx``
runs the config's own test dataset, evaluator and visualizer on it."""
from typing import List, Optional

import torch
from mmengine.model import BaseModel
from mmengine.registry import MODELS

from mmmoga.errors import ConfigCheckError, ConversionError

from .outputs import PER_IMAGE_INPUTS, TASK_OUTPUTS
from .sessions import open_session, output_names


@MODELS.register_module()
class OnnxModel(BaseModel):
    """Predicts with an ONNX file (``tools/export_onnx.py``) in ONNX Runtime
    or OpenVINO.

    The config's data preprocessor prepares the batch as for the PyTorch
    model; the graph's outputs become the task library's predictions
    (:mod:`mmmoga.runtime.outputs`, chosen by the graph's output names).

    Args:
        onnx_file: The exported model.
        backend: ``'onnxruntime'`` or ``'openvino'``.
        data_preprocessor: The PyTorch model's data preprocessor config.
        align_corners: How segmentation logits are resized to the image
            (the decode head's ``align_corners``).
        mask_thr_binary: Where a detector's mask probabilities become the
            mask (the R-CNN test setting of the same name).
    """

    def __init__(self, onnx_file: str, backend: str = 'onnxruntime',
                 data_preprocessor: Optional[dict] = None,
                 align_corners: bool = False,
                 mask_thr_binary: float = 0.5):
        super().__init__(data_preprocessor=data_preprocessor)
        names = tuple(output_names(onnx_file))
        if names not in TASK_OUTPUTS:
            raise ConversionError(
                f'{onnx_file} has the outputs {list(names)}; tools/test.py '
                'evaluates the whole models tools/export_onnx.py writes '
                f'(outputs {" or ".join(map(str, map(list, TASK_OUTPUTS)))})')
        self.onnx_file = onnx_file
        self.backend = backend
        self.session = open_session(onnx_file, backend)
        self.to_predictions = TASK_OUTPUTS[names]
        self.align_corners = align_corners
        self.mask_thr_binary = mask_thr_binary

    def forward(self, inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'predict'):
        if mode != 'predict':
            raise ConfigCheckError(
                f'an ONNX model only predicts (mode {mode!r} asked)')
        image = inputs.detach().cpu().float().contiguous().numpy()
        extra_inputs = PER_IMAGE_INPUTS.get(self.to_predictions)
        if extra_inputs is None:
            return self.to_predictions(self._run(dict(image=image)),
                                       data_samples, self)
        for index, data_sample in enumerate(data_samples):
            outputs = self._run(dict(image=image[index:index + 1],
                                     **extra_inputs(data_sample)))
            self.to_predictions(outputs, [data_sample], self)
        return data_samples

    def _run(self, inputs: dict) -> dict:
        try:
            return self.session(inputs)
        # The runtimes' errors share no base class; a wrong input size is
        # the one a user meets (a graph exported for a fixed size).
        except Exception as error:  # noqa: BLE001
            raise ConversionError(
                f'{self.backend} cannot run {self.onnx_file} on an input of '
                f'shape {list(inputs["image"].shape)} (a graph exported for '
                'a fixed image size takes that size only): '
                f'{str(error).strip().splitlines()[0]}') from None
