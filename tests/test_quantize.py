"""tools/quantize.py: INT8 models of the toy tasks' short-trained models in
ONNX Runtime and OpenVINO, a bfloat16 one, the accuracy gate, and the
quantized files in tools/test.py and tools/infer.py.

The short-trained toys score near chance, so the gate passes them easily;
that the quantized networks follow the float ones is checked on the
classifier's logits instead, and the refusal with a gate no model can
pass."""
import glob
import os.path as osp
import re
import sys

import numpy as np
import pytest

from helpers import run_tool, tool_error
from toy_tasks import TOY_TASKS, short_run_options

pytestmark = pytest.mark.slow
PY = sys.executable
CLS = TOY_TASKS['cls'].config


def reported(output: str, label: str) -> dict:
    """The metrics of the tool's line that starts with ``label``."""
    line = next(line for line in output.splitlines()
                if line.startswith(label))
    values = line.split(';')[0].split(':', 1)[1]
    return {name.strip(): float(value) for name, value in re.findall(
        r'([A-Za-z][A-Za-z0-9@. ]*?) (-?\d+\.\d+)', values)}


def quantize_tool(task, checkpoint, out, *options, data_root):
    return run_tool(PY, 'tools/quantize.py', TOY_TASKS[task].config,
                    checkpoint, out, *options,
                    *short_run_options(task, data_root))


def toy_config(task, data_root):
    """The toy config of ``task`` with the short run's options, loaded as
    the tools load it."""
    import argparse

    from mmmoga.apis import load_config
    from mmmoga.apis.run.cli import add_cfg_options_argument
    parser = argparse.ArgumentParser()
    add_cfg_options_argument(parser)
    options = parser.parse_args(short_run_options(task, data_root))
    return load_config(TOY_TASKS[task].config, options.cfg_options)


@pytest.fixture(scope='module')
def cls_float(exported_toy):
    """The short-trained toy classifier exported in float32."""
    return exported_toy('cls').path


@pytest.fixture(scope='module')
def cls_int8(trained_toy, cls_float, toy_data, tmp_path_factory):
    """The toy classifier quantized by the tool for each runtime: OpenVINO
    from its checkpoint (the export included), ONNX Runtime from the float
    file. Each value: (the tool's run, the file)."""
    work_dir, _ = trained_toy('cls')
    folder = tmp_path_factory.mktemp('cls_int8')
    runs = {}
    for backend, model, name in (
            ('openvino', osp.join(work_dir, TOY_TASKS['cls'].checkpoint),
             'int8.xml'),
            ('onnxruntime', cls_float, 'int8.onnx')):
        out = str(folder / name)
        runs[backend] = quantize_tool(
            'cls', model, out, '--backend', backend, '--calib-images', '6',
            data_root=toy_data('cls')), out
    return runs


def check_passed(run, out, backend):
    """The tool wrote ``out`` with every main metric within the default
    gate; returns the INT8 metrics it reported."""
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1].startswith(f'wrote {out}')
    float_metrics = reported(run.stdout, f'float32 in {backend}')
    int8_metrics = reported(run.stdout, 'INT8')
    assert float_metrics and float_metrics.keys() == int8_metrics.keys()
    for name, value in float_metrics.items():
        assert value - int8_metrics[name] <= 1.0
    # INT8 inside: ONNX Runtime's QDQ pairs, OpenVINO's FakeQuantize.
    if backend == 'onnxruntime':
        import onnx
        ops = {node.op_type for node in onnx.load(out).graph.node}
        assert 'QuantizeLinear' in ops
    else:
        import openvino
        ops = {op.get_type_name()
               for op in openvino.Core().read_model(out).get_ops()}
        assert 'FakeQuantize' in ops
        assert osp.isfile(out[:-len('.xml')] + '.bin')
    return int8_metrics


# The detector's quantization is tested beside its export
# (test_export_onnx.py), which it shares.
@pytest.mark.parametrize('task,backend', [
    ('seg', 'openvino'),
    ('pose', 'onnxruntime'),
])
def test_int8_passes_the_gate(task, backend, exported_toy, toy_data,
                              tmp_path):
    out = str(tmp_path / ('int8.onnx' if backend == 'onnxruntime' else
                          'int8.xml'))
    run = quantize_tool(task, exported_toy(task).path, out, '--backend',
                        backend, '--calib-images', '3',
                        data_root=toy_data(task))
    check_passed(run, out, backend)


def test_int8_classifier_passes_the_gate_and_serves_the_tools(
        cls_int8, toy_data, tmp_path):
    """Both runtimes' files pass; tools/test.py scores the IR as the gate
    measured it (in OpenVINO, its own runtime), tools/infer.py draws with
    it."""
    check_passed(*cls_int8['onnxruntime'], 'onnxruntime')
    run, out = cls_int8['openvino']
    top1 = check_passed(run, out, 'openvino')['Top 1 Accuracy']
    test = run_tool(PY, 'tools/test.py', CLS, out, '--work-dir',
                    str(tmp_path / 'test'),
                    *short_run_options('cls', toy_data('cls')))
    assert test.returncode == 0, test.stderr[-3000:]
    logged = re.findall(r'accuracy/top1: (-?[\d.]+)',
                        test.stdout + test.stderr)
    assert abs(float(logged[-1]) - top1) < 0.01
    image = sorted(glob.glob(osp.join(toy_data('cls'), 'val', '*',
                                      '*.jpg')))[0]
    draw = run_tool(PY, 'tools/infer.py', image, '--config', CLS,
                    '--checkpoint', out, '--out-dir', str(tmp_path / 'drawn'))
    assert draw.returncode == 0, draw.stderr[-3000:]
    stem = osp.splitext(osp.basename(image))[0]
    assert osp.isfile(tmp_path / 'drawn' / 'vis' / f'{stem}.png')


@pytest.mark.usefixtures('restore_default_scope')
@pytest.mark.parametrize('backend', ['onnxruntime', 'openvino'])
def test_int8_logits_follow_the_float_model(backend, cls_float, cls_int8,
                                            toy_data):
    """On the training images, the INT8 classifier's logits stay close to
    float32's (ranges that do not fit the activations would scramble
    them)."""
    from mmmoga.apis.quantization.calibration import CalibrationInputs
    from mmmoga.runtime import open_session
    cfg = toy_config('cls', toy_data('cls'))
    batch = np.concatenate([inputs['image'] for inputs in
                            CalibrationInputs(cfg, cls_float, 12)])
    expected = open_session(cls_float, 'onnxruntime')(
        dict(image=batch))['logits']
    got = open_session(cls_int8[backend][1], backend)(
        dict(image=batch))['logits']
    # Close on the whole (an image or two may round further off).
    spread = expected.max() - expected.min()
    assert np.abs(got - expected).mean() < 0.05 * spread
    assert np.corrcoef(got.ravel(), expected.ravel())[0, 1] > 0.95


@pytest.mark.usefixtures('restore_default_scope')
def test_bfloat16_ir_is_compiled_in_bfloat16_behind_the_gate(
        cls_float, toy_data, tmp_path):
    import openvino

    from mmmoga.apis.quantization import quantize_model
    from mmmoga.apis.quantization.backends import openvino_has_bfloat16
    from mmmoga.errors import ConfigCheckError
    from mmmoga.runtime.sessions import openvino_precision
    cfg = toy_config('cls', toy_data('cls'))
    out = str(tmp_path / 'bf16.xml')
    if not openvino_has_bfloat16():
        with pytest.raises(ConfigCheckError, match='does not compute in '
                           'bfloat16 on this CPU'):
            quantize_model(cfg, cls_float, out, 'openvino', precision='bf16')
        return
    quantized = quantize_model(cfg, cls_float, out, 'openvino',
                               precision='bf16')
    assert quantized.kept is not None and quantized.kept.worst_drop <= 1
    model = openvino.Core().read_model(out)
    assert openvino_precision(model) == 'bf16'
    # The weights stay float32 in the file; only the arithmetic changes.
    assert 'FakeQuantize' not in {op.get_type_name()
                                  for op in model.get_ops()}


def test_gate_refuses_in_one_line_and_writes_nothing(cls_float, toy_data,
                                                     tmp_path):
    """No model rises 100 points above float32: every remedy is tried
    (OpenVINO's list ends with NNCF's accuracy-aware quantization), each
    drop is named, nothing is written."""
    out = tmp_path / 'int8.xml'
    run = quantize_tool('cls', cls_float, str(out), '--backend', 'openvino',
                        '--calib-images', '1', '--val-images', '2',
                        '--max-drop', '-100', data_root=toy_data('cls'))
    error = tool_error(run)
    assert error.startswith('error: every INT8 model fell more than '
                            '--max-drop -100 points below float32 (plain: ')
    for remedy in ('the first stem and the gates in float',
                   '4 calibration images', 'accuracy-aware quantization'):
        assert remedy in error
    assert 'nothing written' in error
    assert not out.exists() and not (tmp_path / 'int8.bin').exists()
    assert len(re.findall(r'^INT8', run.stdout, re.M)) == 4


def test_onnxruntime_remedies_come_in_order(cls_float):
    """ONNX Runtime's list: the stem and gates in float (found by their
    module paths in the graph), then per-channel weights, then more
    calibration images, each added to the ones before."""
    from mmmoga.apis.quantization.quantizer import _schemes
    plain, float_parts, per_channel, more = _schemes(
        'onnxruntime', cls_float, calib_images=4, available=12)
    assert plain.remedy == 'none' and not plain.float_nodes
    assert float_parts.float_nodes and not float_parts.per_channel
    assert per_channel.per_channel and \
        per_channel.float_nodes == float_parts.float_nodes
    assert (more.remedy, more.calib_images, more.per_channel) == (
        '12 calibration images', 12, True)
