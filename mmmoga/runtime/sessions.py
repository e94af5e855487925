"""An exported model run by ONNX Runtime or OpenVINO: ``inputs -> outputs``
(dicts of arrays by name), the same call whichever backend runs it."""
import os.path as osp
from typing import Callable, Dict, List

import numpy as np

from mmmoga.errors import CheckpointError, ConfigCheckError

BACKENDS = ('onnxruntime', 'openvino')
Session = Callable[[Dict[str, np.ndarray]], Dict[str, np.ndarray]]


def _onnxruntime_session(path: str) -> Session:
    import onnxruntime
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    names = [output.name for output in session.get_outputs()]

    def run(inputs: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        return dict(zip(names, session.run(None, inputs)))

    return run


def _openvino_session(path: str) -> Session:
    import openvino
    compiled = openvino.Core().compile_model(path, 'CPU')
    outputs = compiled.outputs
    request = compiled.create_infer_request()

    def run(inputs: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        results = request.infer(inputs)
        return {output.get_any_name(): np.asarray(results[output])
                for output in outputs}

    return run


def open_session(path: str, backend: str) -> Session:
    """The model of the ONNX file ``path`` in ``backend``."""
    if backend not in BACKENDS:
        raise ConfigCheckError(f'--backend {backend!r}: one of '
                               f'{", ".join(BACKENDS)}')
    if not osp.isfile(path):
        raise CheckpointError(f'ONNX file {path} does not exist')
    try:
        return (_onnxruntime_session if backend == 'onnxruntime' else
                _openvino_session)(path)
    # Both runtimes raise their own error classes for a file they cannot
    # read; they share no base class.
    except Exception as error:  # noqa: BLE001
        raise CheckpointError(
            f'{path} cannot be loaded by {backend}: '
            f'{str(error).strip().splitlines()[0]}') from None


def output_names(path: str) -> List[str]:
    """The output names of the ONNX file ``path``."""
    import onnx
    model = onnx.load(path, load_external_data=False)
    return [output.name for output in model.graph.output]
