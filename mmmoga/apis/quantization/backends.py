"""The quantizers: ONNX Runtime's static QDQ quantization into an ``.onnx``,
NNCF's post-training quantization of the OpenVINO model into an IR
``.xml``, and an IR that OpenVINO computes in bfloat16.

Both quantizers put the weights and inputs of the convolutions and fully
connected layers (``Conv``, ``MatMul``, ``Gemm``) in INT8 and keep every
other operation in float: activations, the gates' products, additions,
and the post-processing (box decoding, RoI selection, RoIAlign, NMS, mask
pasting, keypoint decoding), where rounding moves boxes and keypoints for
no speed (they are index and compare operations or cheap arithmetic).
"""
import logging
import os.path as osp
import re
from typing import Callable, Iterable, NamedTuple, Optional, Sequence, Tuple

from mmmoga.errors import ConfigCheckError, ConversionError
from mmmoga.runtime import (
    DATASET_META_KEY,
    PRECISION_KEY,
    compiled_model_session,
)

# The ONNX operations whose weights and inputs become INT8, and the
# OpenVINO ones. OpenVINO keeps depthwise convolutions (GroupConvolution)
# in float: its CPU plugin (2026.4) ran them INT8-quantized with float
# kernels behind a separate FakeQuantize each, slower than float alone
# (MogaNet-S 37.7 against 39.1 img/s); ONNX Runtime runs them faster in
# INT8 (33.4 against 25.0 img/s), so it quantizes them.
QUANTIZED_ONNX_OPS = ('Conv', 'MatMul', 'Gemm')
QUANTIZED_OPENVINO_OPS = ('Convolution', 'MatMul')

# Module paths (as the exporter records them in each node's name scopes)
# of the layers a remedy keeps in float: the first stem (its input is the
# image, whose range per channel differs most from the rest) and the gate
# and value branches of each gated aggregation (their product magnifies
# rounding).
STEM_AND_GATES = (re.compile(r'(^|\.)backbone\.patch_embed1(\.|$)'),
                  re.compile(r'\.attn\.(gate|value)(\.|$)'))


# The most candidates NNCF's accuracy-aware quantization evaluates (each
# one is a run over the validation set) while it returns layers to float.
MAX_RESTORE_STEPS = 20


class Scheme(NamedTuple):
    """How one candidate is quantized.

    Attributes:
        remedy: What this candidate changes, for messages.
        float_nodes: ONNX node names kept in float.
        per_channel: Weights scaled per output channel (else per tensor;
            NNCF scales them per channel always).
        calib_images: Calibration images.
        accuracy_aware: NNCF's accuracy-aware quantization (OpenVINO):
            layers return to float, the most harmful first, until the
            validation metric is within the gate.
    """
    remedy: str
    float_nodes: Tuple[str, ...] = ()
    per_channel: bool = False
    calib_images: int = 0
    accuracy_aware: bool = False


class AccuracyControl(NamedTuple):
    """What accuracy-aware quantization measures with.

    Attributes:
        validation_inputs: Graph inputs of validation images (NNCF ranks
            the layers by how far they move the outputs on them).
        validate: The task's first main metric, in points, of a session.
        max_drop: How many points it may fall.
    """
    validation_inputs: Iterable[dict]
    validate: Callable
    max_drop: float


def stem_and_gate_nodes(onnx_file: str) -> Tuple[str, ...]:
    """Names of the weighted nodes of ``onnx_file`` that belong to the
    first stem or a gate (:data:`STEM_AND_GATES`), read from the name
    scopes torch's exporter records."""
    import onnx
    model = onnx.load(onnx_file, load_external_data=False)
    names = []
    for node in model.graph.node:
        if node.op_type not in QUANTIZED_ONNX_OPS:
            continue
        scopes = next((entry.value for entry in node.metadata_props
                       if entry.key == 'pkg.torch.onnx.name_scopes'), '')
        if any(pattern.search(scope) for pattern in STEM_AND_GATES
               for scope in re.findall(r"'([^']*)'", scopes)):
            names.append(node.name)
    return tuple(names)


class _DropMessage(logging.Filter):
    """Drops log records whose message contains ``text``."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def filter(self, record: logging.LogRecord) -> bool:
        return self.text not in record.getMessage()


def quantize_with_onnxruntime(float_file: str, out_file: str,
                              inputs: Iterable[dict], scheme: Scheme,
                              dataset_meta: str = None):
    """Static QDQ quantization by ONNX Runtime: unsigned INT8 activations
    (asymmetric: most inputs follow a GELU or SiLU), signed INT8 weights,
    ranges by min and max over the calibration inputs."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):

        def __init__(self):
            self.inputs = iter(inputs)

        def get_next(self):
            return next(self.inputs, None)

    # ONNX Runtime's quantizer logs a suggestion to pre-process the model
    # (shape inference, graph optimizations) on the root logger at every
    # call; the exported graph has its shapes, and its optimizations are
    # ONNX Runtime's own at load time.
    suggestion = _DropMessage('pre-process')
    logging.getLogger().addFilter(suggestion)
    try:
        quantize_static(
            float_file, out_file, Reader(),
            quant_format=QuantFormat.QDQ,
            op_types_to_quantize=list(QUANTIZED_ONNX_OPS),
            per_channel=scheme.per_channel,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=list(scheme.float_nodes),
            calibrate_method=CalibrationMethod.MinMax)
    # ONNX Runtime's quantizer raises plain exceptions of several kinds.
    except Exception as error:  # noqa: BLE001
        raise ConversionError(
            f'ONNX Runtime could not quantize {float_file}: '
            f'{type(error).__name__}: {str(error).strip()[:300]}') from None
    finally:
        logging.getLogger().removeFilter(suggestion)
    if dataset_meta is not None:
        model = onnx.load(out_file)
        onnx.helper.set_model_props(model, {DATASET_META_KEY: dataset_meta})
        onnx.save(model, out_file)


def _openvino_patterns(names: Sequence[str]):
    # OpenVINO names an operation after its ONNX node, with suffixes for
    # the parts one node becomes ('node_conv2d/WithoutBiases').
    return [f'^{re.escape(name)}(/.*)?$' for name in names]


def _save_ir(model, out_file: str, dataset_meta: str = None):
    import openvino
    if dataset_meta is not None:
        model.set_rt_info(dataset_meta, DATASET_META_KEY)
    # Float weights kept in float32: compressing them to float16 (the
    # default of save_model) would change the checked model.
    openvino.save_model(model, out_file, compress_to_fp16=False)


def quantize_with_openvino(float_file: str, out_file: str,
                           inputs: Sequence[dict], scheme: Scheme,
                           dataset_meta: str = None,
                           control: Optional[AccuracyControl] = None):
    """NNCF's post-training quantization of the OpenVINO model (per-channel
    symmetric weights, per-tensor activations, fast bias correction), into
    an IR; accuracy-aware where the scheme says so (``control`` measures)."""
    import nncf
    import openvino

    # NNCF lists every operation it leaves unquantized at INFO; its
    # progress bars stay.
    nncf.set_log_level(logging.WARNING)
    model = openvino.Core().read_model(float_file)
    kept_float = sorted({op.get_type_name() for op in model.get_ops()} -
                        set(QUANTIZED_OPENVINO_OPS))
    ignored = nncf.IgnoredScope(
        types=kept_float, patterns=_openvino_patterns(scheme.float_nodes),
        validate=False)
    settings = dict(subset_size=len(inputs),
                    preset=nncf.QuantizationPreset.PERFORMANCE,
                    target_device=nncf.TargetDevice.CPU,
                    ignored_scope=ignored)
    try:
        if scheme.accuracy_aware:
            from nncf.quantization.advanced_parameters import (
                AdvancedAccuracyRestorerParameters,
            )

            def validation_fn(compiled, _):
                return control.validate(compiled_model_session(compiled)), \
                    None

            quantized = nncf.quantize_with_accuracy_control(
                model, nncf.Dataset(inputs),
                nncf.Dataset(control.validation_inputs), validation_fn,
                max_drop=max(control.max_drop, 0.),
                drop_type=nncf.DropType.ABSOLUTE,
                advanced_accuracy_restorer_parameters=(
                    AdvancedAccuracyRestorerParameters(
                        max_num_iterations=MAX_RESTORE_STEPS)),
                **settings)
        else:
            quantized = nncf.quantize(model, nncf.Dataset(inputs),
                                      **settings)
    # NNCF raises its own errors and whatever OpenVINO raises under it.
    except Exception as error:  # noqa: BLE001
        raise ConversionError(
            f'NNCF could not quantize {float_file}: '
            f'{type(error).__name__}: {str(error).strip()[:300]}') from None
    _save_ir(quantized, out_file, dataset_meta)


def openvino_has_bfloat16() -> bool:
    """Whether OpenVINO computes in bfloat16 on this CPU."""
    import openvino
    capabilities = openvino.Core().get_property('CPU',
                                                'OPTIMIZATION_CAPABILITIES')
    return 'BF16' in capabilities


def bfloat16_ir(float_file: str, out_file: str, dataset_meta: str = None):
    """The float model as an IR that OpenVINO compiles for bfloat16 (the
    precision stored in the IR: :func:`mmmoga.runtime.openvino_precision`).

    Raises:
        ConfigCheckError: This CPU does not compute in bfloat16.
    """
    import openvino
    if not openvino_has_bfloat16():
        raise ConfigCheckError(
            '--precision bf16: OpenVINO does not compute in bfloat16 on this '
            'CPU (it needs AVX-512 BF16 or AMX); use --precision int8')
    model = openvino.Core().read_model(float_file)
    model.set_rt_info('bf16', PRECISION_KEY)
    _save_ir(model, out_file, dataset_meta)


def ir_files(xml_file: str) -> Tuple[str, str]:
    """An IR's two files: the graph (.xml) and its weights (.bin)."""
    return xml_file, osp.splitext(xml_file)[0] + '.bin'
