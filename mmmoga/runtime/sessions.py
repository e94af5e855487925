"""An exported model run by ONNX Runtime or OpenVINO: ``inputs -> outputs``
(dicts of arrays by name), the same call whichever backend runs it."""
import json
import os.path as osp
from typing import Callable, Dict, List, Optional

import numpy as np

from mmmoga.errors import CheckpointError, ConfigCheckError
from mmmoga.utils import json_default

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
    # OpenVINO computes in bfloat16 on CPUs that have it unless told
    # otherwise, which moves detections and keypoints; the exported model is
    # evaluated as exported, in float32.
    compiled = openvino.Core().compile_model(
        path, 'CPU', {'INFERENCE_PRECISION_HINT': 'f32'})
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


# The metadata key under which tools/export_onnx.py stores what drawing
# needs of the checkpoint's dataset meta, and those keys.
DATASET_META_KEY = 'dataset_meta'
DRAWING_META = ('classes', 'palette')


def stored_dataset_meta(path: str) -> Optional[dict]:
    """The classes and palette stored in the ONNX file ``path`` at export
    (the palette's colours as tuples again, as the visualizers take them),
    or None."""
    import onnx
    model = onnx.load(path, load_external_data=False)
    for entry in model.metadata_props:
        if entry.key == DATASET_META_KEY:
            meta = json.loads(entry.value)
            if meta.get('palette') is not None:
                meta['palette'] = [tuple(colour)
                                   for colour in meta['palette']]
            return meta
    return None


def store_dataset_meta(path: str, dataset_meta: dict):
    """Stores the classes and palette of ``dataset_meta`` (a checkpoint's) in
    the ONNX file ``path``; nothing when it has neither."""
    import onnx
    kept = {key: dataset_meta[key] for key in DRAWING_META
            if key in dataset_meta}
    if not kept:
        return
    model = onnx.load(path)
    onnx.helper.set_model_props(model, {DATASET_META_KEY: json.dumps(
        kept, default=json_default)})
    onnx.save(model, path)

