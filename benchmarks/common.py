"""What the benchmarks share: each measurement runs in a fresh subprocess of
the benchmark script itself, with the allocator set by the worker (never
inherited from this shell), and reports one JSON line."""
import json
import os
import os.path as osp
import subprocess
import sys
import time


def run_worker(script, worker_args):
    """Runs ``python SCRIPT --worker ...`` and returns its last JSON line;
    a failing worker ends the benchmark with its error output."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('MALLOC_') and k != 'MMMOGA_DEFAULT_MALLOC'}
    command = [sys.executable, script, *map(str, worker_args)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f'{" ".join(command[1:])} failed:\n'
                         f'{result.stderr[-3000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


class Countdown:
    """``[done/total, about N min left]``, to begin the line printed after
    each of ``total`` measurements: the time left is the mean time of
    those done so far times the number still to do."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.perf_counter()

    def tick(self) -> str:
        self.done += 1
        mean = (time.perf_counter() - self.start) / self.done
        left = mean * (self.total - self.done)
        return (f'[{self.done}/{self.total}, about {left / 60:.0f} min '
                'left]')


def report(values):
    """Prints the worker's result as its last line."""
    print(json.dumps(values), flush=True)


def detector_parser(doc):
    """Arguments of the detector benchmarks: the image size and the hidden
    ``--worker`` switch."""
    import argparse
    parser = argparse.ArgumentParser(description=doc.split('\n')[0])
    parser.add_argument('--size', type=int, nargs=2, default=(800, 1216),
                        metavar=('H', 'W'))
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    return parser


def add_round_arguments(parser, rounds=3, runs=5, warmup=2):
    """How each variant is measured: rounds (each a fresh subprocess per
    variant, the variants taking turns), timed runs per round, warm-up runs
    before them."""
    parser.add_argument('--rounds', type=int, default=rounds)
    parser.add_argument('--runs', type=int, default=runs)
    parser.add_argument('--warmup', type=int, default=warmup)


def random_weights_config(path):
    """The config at ``path`` (``mmdet::...`` resolves to the library's own)
    with no pretrained backbone: its models get the random weights of their
    own initialisation, without a download."""
    from mmengine.config import Config
    from mmengine.hub import get_config

    import mmmoga  # noqa: F401
    cfg = get_config(path) if '::' in path else Config.fromfile(path)
    cfg.model.backbone.pop('init_cfg', None)
    return cfg


def random_model(cfg):
    """The config's model, initialised with seed 0, in eval mode."""
    import torch

    from mmmoga.engine import build_config_model
    torch.manual_seed(0)
    model = build_config_model(cfg)
    model.init_weights()
    return model.eval()


def export_and_report(cfg, model, onnx_file, shape=None):
    """Saves ``model``'s weights beside ``onnx_file``, exports ``cfg``'s model
    with them there (``tools/export_onnx.py``'s code, check included) and
    reports the check's difference and note."""
    import torch

    from mmmoga.apis import export_onnx
    checkpoint = onnx_file + '.pth'
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    exported = export_onnx(cfg, checkpoint, onnx_file, shape=shape)
    report(dict(difference=exported.difference, note=exported.check_note))


def exported_model(cfg, onnx_file, backend):
    """The exported file in ``backend`` as ``tools/test.py`` runs it
    (``OnnxModel`` with the config's data preprocessor)."""
    from mmmoga.apis.run.testing import use_exported_model
    from mmmoga.engine import build_config_model
    use_exported_model(cfg, onnx_file, backend)
    return build_config_model(cfg).eval()


# Where the INT8 files of an exported ONNX file go, by runtime.
INT8_SUFFIXES = {'onnxruntime': '_int8.onnx', 'openvino': '_int8.xml'}


def int8_file(onnx_file, backend):
    """The INT8 file :func:`quantize_for_timing` writes for ``backend``."""
    return osp.splitext(onnx_file)[0] + INT8_SUFFIXES[backend]


def quantize_for_timing(cfg, onnx_file, packed_batches):
    """Writes INT8 files of ``onnx_file`` for ONNX Runtime and OpenVINO, as
    ``tools/quantize.py`` quantizes without remedies (its quantizers), the
    ranges calibrated on ``packed_batches`` (the models' random inputs:
    speed does not depend on the ranges)."""
    from mmmoga.apis.quantization.backends import (
        Scheme,
        quantize_with_onnxruntime,
        quantize_with_openvino,
    )
    model = exported_model(cfg, onnx_file, 'onnxruntime')
    inputs = []
    for packed in packed_batches:
        data = model.data_preprocessor(packed, False)
        inputs += list(model.graph_inputs(data['inputs'],
                                          data['data_samples']))
    scheme = Scheme('none', calib_images=len(inputs))
    quantize_with_onnxruntime(onnx_file, int8_file(onnx_file, 'onnxruntime'),
                              inputs, scheme)
    quantize_with_openvino(onnx_file, int8_file(onnx_file, 'openvino'),
                           inputs, scheme)
