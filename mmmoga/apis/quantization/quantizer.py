"""Post-training quantization of an exported model, kept only when its
accuracy on the config's own validation set stays within a gate.

The flow: export the float model as ``tools/export_onnx.py`` does, evaluate
it in the chosen backend, then quantize candidates one after the other,
each with one more of the known remedies, evaluating each, until one falls
by at most ``max_drop`` points of every main metric of its task; that one is
written. Where none does, nothing is written."""
import copy
import math
import os
import os.path as osp
import shutil
import tempfile
from typing import Dict, List, NamedTuple, Optional

from mmengine.config import Config

from mmmoga.checkpoint import load_checkpoint_file
from mmmoga.errors import CheckpointError, ConfigCheckError, ConversionError
from mmmoga.runtime import (
    BACKENDS,
    DATASET_META_KEY,
    ONNX_SUFFIX,
    OPENVINO_IR_SUFFIX,
    drawing_meta_json,
    open_session,
)
from mmmoga.tasks import task_of
from mmmoga.utils import step

from ..export import export_onnx
from ..export.exporter import check_model_exports
from ..run.config_checks import check_dataset_paths
from ..run.testing import use_exported_model
from .backends import (
    AccuracyControl,
    Scheme,
    bfloat16_ir,
    ir_files,
    openvino_has_bfloat16,
    quantize_with_onnxruntime,
    quantize_with_openvino,
    stem_and_gate_nodes,
)
from .calibration import CalibrationInputs
from .evaluation import ExportedEvaluation, gated_drops, metric_points

PRECISIONS = ('int8', 'bf16')
DEFAULT_CALIB_IMAGES = 300
DEFAULT_MAX_DROP = 1.0
# What a backend writes.
OUT_SUFFIXES = {'onnxruntime': ONNX_SUFFIX, 'openvino': OPENVINO_IR_SUFFIX}
# The remedy that calibrates on more images multiplies their count by this.
MORE_CALIB_FACTOR = 4


class Attempt(NamedTuple):
    """One candidate and how it scored.

    Attributes:
        remedy: What the candidate changed (``'none'``: plain quantization).
        metrics: The task's main metrics, in points.
        drops: How far each fell from float32, in points.
    """
    remedy: str
    metrics: Dict[str, float]
    drops: Dict[str, float]

    @property
    def worst_drop(self) -> float:
        return max(self.drops.values())


class Quantized(NamedTuple):
    """What :func:`quantize_model` measured, and wrote where ``kept`` is
    set.

    Attributes:
        out: The file written (an IR's .xml), or None.
        backend: Its runtime.
        precision: ``'int8'`` or ``'bf16'``.
        float_metrics: The float32 model's main metrics in the same backend.
        attempts: Every candidate evaluated, in order.
        kept: The attempt written, or None where the gate refused all.
        max_drop: The gate, in points.
        calib_images: Calibration images of the first candidate.
        val_images: Test images evaluated (None: the whole set).
    """
    out: Optional[str]
    backend: str
    precision: str
    float_metrics: Dict[str, float]
    attempts: List[Attempt]
    kept: Optional[Attempt]
    max_drop: float
    calib_images: int
    val_images: Optional[int]


def check_quantization_options(cfg: Config, out: str, backend: str,
                               precision: str, calib_images: int,
                               val_images: Optional[int], max_drop: float,
                               given_onnx: bool = False):
    """Raises :class:`ConfigCheckError` for the first option that cannot
    work, before anything is exported (``given_onnx``: the model comes
    exported)."""
    if backend not in BACKENDS:
        raise ConfigCheckError(
            f'--backend {backend!r}: one of {", ".join(BACKENDS)}')
    if precision not in PRECISIONS:
        raise ConfigCheckError(
            f'--precision {precision!r}: one of {", ".join(PRECISIONS)}')
    if precision == 'bf16':
        if backend != 'openvino':
            raise ConfigCheckError(
                '--precision bf16 is an OpenVINO precision; use --backend '
                'openvino')
        if not openvino_has_bfloat16():
            raise ConfigCheckError(
                '--precision bf16: OpenVINO does not compute in bfloat16 on '
                'this CPU (it needs AVX-512 BF16 or AMX); use --precision '
                'int8')
    suffix = OUT_SUFFIXES[backend]
    if not out.endswith(suffix):
        raise ConfigCheckError(
            f'OUT {out}: --backend {backend} writes a {suffix} file')
    if calib_images < 1:
        raise ConfigCheckError(
            f'--calib-images {calib_images}: at least 1 image calibrates')
    if val_images is not None and val_images < 1:
        raise ConfigCheckError(
            f'--val-images {val_images}: at least 1 image evaluates')
    # A negative gate asks the quantized model to beat float32 by that
    # much: never useful, but not meaningless either.
    if not math.isfinite(max_drop):
        raise ConfigCheckError(f'--max-drop {max_drop}: a number of points')
    if not given_onnx:
        # The model exports (before the weights are looked at).
        check_model_exports(cfg)
    # Its export evaluates (a sliding-window segmentor does not).
    use_exported_model(copy.deepcopy(cfg), 'float32' + ONNX_SUFFIX)
    check_dataset_paths(cfg, splits=('train', 'test'))


def _float_onnx_meta(path: str) -> Optional[str]:
    """The drawing meta stored in the float ONNX file ``path`` (JSON), after
    checking that it is one: an exported file, not a quantized one."""
    import onnx
    if not osp.isfile(path):
        raise CheckpointError(f'exported model {path} does not exist')
    try:
        model = onnx.load(path, load_external_data=False)
    # onnx raises DecodeError and others for a file that is not ONNX.
    except Exception as error:  # noqa: BLE001
        raise CheckpointError(
            f'{path} is not an ONNX file: {type(error).__name__}') from None
    if any(node.op_type in ('QuantizeLinear', 'DequantizeLinear')
           for node in model.graph.node):
        raise ConfigCheckError(
            f'{path} is quantized already; quantize the float model '
            '(tools/export_onnx.py writes it) or its checkpoint')
    stored = {entry.key: entry.value for entry in model.metadata_props}
    return stored.get(DATASET_META_KEY)


def _schemes(backend: str, float_file: str, calib_images: int,
             available: int) -> List[Scheme]:
    """The candidates in order: plain, then each remedy added to the ones
    before it (``docs/deployment.md``)."""
    plain = Scheme('none', calib_images=min(calib_images, available))
    float_parts = plain._replace(remedy='the first stem and the gates in '
                                 'float', float_nodes=stem_and_gate_nodes(
                                     float_file))
    schemes = [plain, float_parts]
    if backend == 'onnxruntime':
        # NNCF scales OpenVINO weights per channel from the start.
        schemes.append(schemes[-1]._replace(remedy='per-channel weights',
                                            per_channel=True))
    more = min(available, calib_images * MORE_CALIB_FACTOR)
    if more > plain.calib_images:
        schemes.append(schemes[-1]._replace(
            remedy=f'{more} calibration images', calib_images=more))
    if backend == 'openvino':
        schemes.append(schemes[-1]._replace(
            remedy='accuracy-aware quantization', accuracy_aware=True))
    return schemes


def _accuracy_control(cfg: Config, float_file: str,
                      evaluation: ExportedEvaluation,
                      val_images: Optional[int],
                      max_drop: float) -> AccuracyControl:
    """How NNCF's accuracy-aware quantization measures: the task's first
    main metric on the same test images as the gate (``evaluation``), and
    up to :data:`DEFAULT_CALIB_IMAGES` of them for ranking the layers."""
    first_metric = task_of(cfg).main_metrics[0]

    def validate(session) -> float:
        return metric_points(cfg, evaluation(session))[first_metric]

    ranked = CalibrationInputs(cfg, float_file, min(
        val_images or DEFAULT_CALIB_IMAGES, DEFAULT_CALIB_IMAGES),
        split='test')
    return AccuracyControl(ranked, validate, max_drop)


def _install(candidate: str, out: str):
    """Moves the candidate's files to ``out`` (an IR: .xml and .bin)."""
    sources = ir_files(candidate) if candidate.endswith(
        OPENVINO_IR_SUFFIX) else (candidate, )
    targets = ir_files(out) if out.endswith(OPENVINO_IR_SUFFIX) else (out, )
    for source, target in zip(sources, targets):
        os.makedirs(osp.dirname(osp.abspath(target)), exist_ok=True)
        shutil.move(source, target)


def quantize_model(cfg: Config, checkpoint: str, out: str, backend: str,
                   precision: str = 'int8',
                   calib_images: int = DEFAULT_CALIB_IMAGES,
                   val_images: Optional[int] = None,
                   max_drop: float = DEFAULT_MAX_DROP) -> Quantized:
    """Quantizes the config's model with the weights of ``checkpoint`` for
    ``backend`` and writes it to ``out`` (``.onnx`` for ONNX Runtime, an IR
    ``.xml`` and ``.bin`` for OpenVINO) if its accuracy passes the gate;
    returns what was measured (``kept`` is None where nothing was written).

    INT8: calibrated on ``calib_images`` images of the training set through
    the test pipeline (:class:`CalibrationInputs`); bf16 (OpenVINO on a CPU
    that has it): the float model computed in bfloat16, through the same
    gate. ``checkpoint`` may be the float model exported already (an
    ``.onnx`` of ``tools/export_onnx.py``), which is then quantized as it
    is."""
    given_onnx = checkpoint.endswith(ONNX_SUFFIX)
    check_quantization_options(cfg, out, backend, precision, calib_images,
                               val_images, max_drop, given_onnx)
    if given_onnx:
        dataset_meta = _float_onnx_meta(checkpoint)
    else:
        dataset_meta = drawing_meta_json(load_checkpoint_file(
            checkpoint).get('meta', {}).get('dataset_meta') or {})
    suffix = OUT_SUFFIXES[backend]
    with tempfile.TemporaryDirectory(prefix='mmmoga_quantize_') as scratch:
        float_file = checkpoint if given_onnx else export_onnx(
            cfg, checkpoint, osp.join(scratch, 'float32.onnx')).path
        # One test run, set up once: each candidate is a session of the same
        # graph handed to it.
        with step(f'evaluating the float32 model in {backend}'):
            evaluation = ExportedEvaluation(cfg, float_file, backend,
                                            osp.join(scratch, 'evaluation'),
                                            val_images)
            reference = evaluation()
        float_metrics = metric_points(cfg, reference)
        attempts: List[Attempt] = []
        if precision == 'bf16':
            schemes = [Scheme('bfloat16')]
            calibration = None
        else:
            calibration = CalibrationInputs(cfg, float_file, calib_images)
            schemes = _schemes(backend, float_file, calib_images,
                               calibration.available)
        for index, scheme in enumerate(schemes):
            candidate = osp.join(scratch, f'candidate{index}{suffix}')
            remedy = '' if scheme.remedy == 'none' else \
                f' ({scheme.remedy})'
            if precision == 'bf16':
                with step('writing the bfloat16 IR'):
                    bfloat16_ir(float_file, candidate, dataset_meta)
            else:
                calibration.take(scheme.calib_images)
                quantize = (quantize_with_onnxruntime
                            if backend == 'onnxruntime' else
                            quantize_with_openvino)
                extra = {}
                if scheme.accuracy_aware:
                    extra['control'] = _accuracy_control(
                        cfg, float_file, evaluation, val_images, max_drop)
                with step(f'quantizing to INT8{remedy}, calibrated on '
                          f'{scheme.calib_images} training images'):
                    quantize(float_file, candidate, calibration, scheme,
                             dataset_meta, **extra)
            with step(f'evaluating the {precision.upper()} model{remedy}'):
                metrics = evaluation(open_session(candidate, backend))
            attempt = Attempt(scheme.remedy, metric_points(cfg, metrics),
                              gated_drops(cfg, reference, metrics))
            attempts.append(attempt)
            if attempt.worst_drop <= max_drop:
                _install(candidate, out)
                return Quantized(out, backend, precision, float_metrics,
                                 attempts, attempt, max_drop,
                                 schemes[0].calib_images, val_images)
    return Quantized(None, backend, precision, float_metrics, attempts, None,
                     max_drop, schemes[0].calib_images, val_images)


def refusal(quantized: Quantized) -> ConversionError:
    """The one-line error of a quantization the gate refused."""
    tried = '; '.join(
        f'{attempt.remedy if attempt.remedy != "none" else "plain"}: '
        f'{max(attempt.drops, key=attempt.drops.get)} fell '
        f'{attempt.worst_drop:.2f}' for attempt in quantized.attempts)
    return ConversionError(
        f'every {quantized.precision.upper()} model fell more than '
        f'--max-drop {quantized.max_drop:g} points below float32 '
        f'({tried}); nothing written. docs/deployment.md says what else '
        'to try')
