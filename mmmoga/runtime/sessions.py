"""An exported model run by ONNX Runtime or OpenVINO: ``inputs -> outputs``
(dicts of arrays by name), the same call whichever backend runs it.

Exported files are ONNX graphs (``tools/export_onnx.py``; an ONNX Runtime
INT8 model of ``tools/quantize.py``) and OpenVINO IRs (``.xml`` beside its
``.bin``: the OpenVINO INT8 and bfloat16 models of ``tools/quantize.py``),
which OpenVINO alone reads."""
import json
import os.path as osp
from typing import Callable, Dict, List, Optional

import numpy as np

from mmmoga.errors import CheckpointError, ConfigCheckError
from mmmoga.utils import json_default

BACKENDS = ('onnxruntime', 'openvino')
ONNX_SUFFIX = '.onnx'
OPENVINO_IR_SUFFIX = '.xml'
EXPORTED_SUFFIXES = (ONNX_SUFFIX, OPENVINO_IR_SUFFIX)
Session = Callable[[Dict[str, np.ndarray]], Dict[str, np.ndarray]]

# The precision OpenVINO computes an IR's float layers in, stored in the IR
# (rt_info) by tools/quantize.py --precision bf16; absent: float32.
PRECISION_KEY = 'mmmoga_inference_precision'
# The metadata key under which the exporters store what drawing needs of
# the checkpoint's dataset meta (an ONNX metadata property, an IR's
# rt_info), and those keys.
DATASET_META_KEY = 'dataset_meta'
DRAWING_META = ('classes', 'palette')


def is_exported(path: str) -> bool:
    """Whether ``path`` names an exported model rather than a PyTorch
    checkpoint."""
    return path.endswith(EXPORTED_SUFFIXES)


def default_backend(path: str) -> str:
    """The backend that runs the exported ``path`` when none is named: an
    IR's is OpenVINO, an ONNX file's ONNX Runtime."""
    return 'openvino' if path.endswith(OPENVINO_IR_SUFFIX) else 'onnxruntime'


def check_backend(path: str, backend: str):
    """Raises :class:`ConfigCheckError` unless ``backend`` runs ``path``."""
    if backend not in BACKENDS:
        raise ConfigCheckError(f'--backend {backend!r}: one of '
                               f'{", ".join(BACKENDS)}')
    if path.endswith(OPENVINO_IR_SUFFIX) and backend != 'openvino':
        raise ConfigCheckError(
            f'{path} is an OpenVINO IR, which --backend openvino runs; '
            f'{backend} runs .onnx files')


def _onnxruntime_session(path: str) -> Session:
    import onnxruntime
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    names = [output.name for output in session.get_outputs()]

    def run(inputs: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        return dict(zip(names, session.run(None, inputs)))

    return run


def openvino_precision(model) -> str:
    """The precision an OpenVINO ``model`` is compiled for: what
    tools/quantize.py stored in it, else float32. OpenVINO itself computes
    in bfloat16 on CPUs that have it unless told otherwise, which moves
    detections and keypoints; a model is run as it was checked."""
    if model.has_rt_info(PRECISION_KEY):
        return model.get_rt_info(PRECISION_KEY).astype(str)
    return 'f32'


def _openvino_session(path: str) -> Session:
    import openvino
    core = openvino.Core()
    model = core.read_model(path)
    return compiled_model_session(core.compile_model(
        model, 'CPU', {'INFERENCE_PRECISION_HINT': openvino_precision(model)}))


def compiled_model_session(compiled) -> Session:
    """The session of an OpenVINO model compiled already (NNCF's
    accuracy-aware quantization hands its candidates over so)."""
    outputs = compiled.outputs
    request = compiled.create_infer_request()

    def run(inputs: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        results = request.infer(inputs)
        return {output.get_any_name(): np.asarray(results[output])
                for output in outputs}

    return run


def runtime_error_line(error: Exception) -> str:
    """The line of a runtime's error message that says what is wrong:
    OpenVINO's messages begin with the source locations they passed
    through ('Exception from src/...') and end with the cause."""
    lines = [line.strip() for line in str(error).strip().splitlines()
             if line.strip() and not line.startswith('Exception from ')]
    return lines[-1] if lines else type(error).__name__


def open_session(path: str, backend: str) -> Session:
    """The model of the exported file ``path`` in ``backend``."""
    check_backend(path, backend)
    if not osp.isfile(path):
        raise CheckpointError(f'exported model {path} does not exist')
    try:
        return (_onnxruntime_session if backend == 'onnxruntime' else
                _openvino_session)(path)
    # Both runtimes raise their own error classes for a file they cannot
    # read; they share no base class.
    except Exception as error:  # noqa: BLE001
        raise CheckpointError(
            f'{path} cannot be loaded by {backend}: '
            f'{runtime_error_line(error)}') from None


def _read_openvino_model(path: str):
    import openvino
    try:
        return openvino.Core().read_model(path)
    # OpenVINO raises RuntimeError and its own classes alike.
    except Exception as error:  # noqa: BLE001
        raise CheckpointError(
            f'{path} cannot be read by OpenVINO: '
            f'{runtime_error_line(error)}') from None


def output_names(path: str) -> List[str]:
    """The output names of the exported file ``path``."""
    if path.endswith(OPENVINO_IR_SUFFIX):
        return [output.get_any_name()
                for output in _read_openvino_model(path).outputs]
    import onnx
    model = onnx.load(path, load_external_data=False)
    return [output.name for output in model.graph.output]


def _as_drawing_meta(text: str) -> dict:
    meta = json.loads(text)
    if meta.get('palette') is not None:
        meta['palette'] = [tuple(colour) for colour in meta['palette']]
    return meta


def stored_dataset_meta(path: str) -> Optional[dict]:
    """The classes and palette stored in the exported file ``path`` (the
    palette's colours as tuples again, as the visualizers take them), or
    None."""
    if path.endswith(OPENVINO_IR_SUFFIX):
        model = _read_openvino_model(path)
        if not model.has_rt_info(DATASET_META_KEY):
            return None
        return _as_drawing_meta(
            model.get_rt_info(DATASET_META_KEY).astype(str))
    import onnx
    model = onnx.load(path, load_external_data=False)
    for entry in model.metadata_props:
        if entry.key == DATASET_META_KEY:
            return _as_drawing_meta(entry.value)
    return None


def drawing_meta_json(dataset_meta: dict) -> Optional[str]:
    """What of ``dataset_meta`` (a checkpoint's) an exported file keeps for
    drawing, as JSON; None when it has none of it."""
    kept = {key: dataset_meta[key] for key in DRAWING_META
            if key in dataset_meta}
    return json.dumps(kept, default=json_default) if kept else None


def store_dataset_meta(path: str, dataset_meta: dict):
    """Stores the classes and palette of ``dataset_meta`` (a checkpoint's) in
    the ONNX file ``path``; nothing when it has neither (an OpenVINO IR
    gets them when it is written: :func:`drawing_meta_json`)."""
    import onnx
    text = drawing_meta_json(dataset_meta)
    if text is None:
        return
    model = onnx.load(path)
    onnx.helper.set_model_props(model, {DATASET_META_KEY: text})
    onnx.save(model, path)
