"""Top-down pose throughput: person crops per second of MogaNet-S at 256x192
with the flip test, PyTorch plain and deploy mode against its ONNX export in
ONNX Runtime and OpenVINO, float32 and INT8, on this machine's CPU.

    python benchmarks/pose_throughput.py          # make bench runs this
    python benchmarks/pose_throughput.py --batch 32 --rounds 5

Every variant runs ``test_step`` on the same batch of crops: the data
preprocessor, the model (both passes of the flip test, the heatmap decoding)
and the keypoints mapped back to the image; the ONNX variants run the file
``tools/export_onnx.py``'s code writes, through ``OnnxModel``; the INT8 ones
that file quantized by ``tools/quantize.py``'s quantizers (no remedy, ranges
from random crops). Random weights (the decoding's cost does not depend on
them). Tuned malloc, the
machine's thread count in every runtime (OpenVINO in float32); every
measurement is a fresh subprocess, rounds interleaved, the median over rounds
of the median over runs.
"""
import argparse
import os.path as osp
import statistics
import tempfile

from common import (
    Countdown,
    add_round_arguments,
    export_and_report,
    exported_model,
    int8_file,
    quantize_for_timing,
    random_model,
    random_weights_config,
    report,
    run_worker,
)

CONFIG = 'configs/pose/topdown_heatmap_moga_s_256x192.py'
VARIANTS = ('plain', 'deploy', 'onnxruntime', 'openvino', 'onnxruntime_int8',
            'openvino_int8')
# The runtime of each exported variant.
EXPORTED = {'onnxruntime': 'onnxruntime', 'openvino': 'openvino',
            'onnxruntime_int8': 'onnxruntime', 'openvino_int8': 'openvino'}


def timed_model(args, cfg):
    from mmmoga.models import reparameterize_model
    if args.worker in EXPORTED:
        backend = EXPORTED[args.worker]
        path = int8_file(args.onnx_file, backend) if args.worker.endswith(
            '_int8') else args.onnx_file
        return exported_model(cfg, path, backend)
    model = random_model(cfg)
    if args.worker == 'deploy':
        reparameterize_model(model)
    return model


def worker(args):
    from mmmoga.utils import tune_malloc
    allocator = tune_malloc()
    cfg = random_weights_config(CONFIG)
    if args.worker == 'export':
        export_and_report(cfg, random_model(cfg), args.onnx_file)
        return
    import torch
    from mmpose.testing import get_packed_inputs
    if args.worker == 'quantize':
        quantize_for_timing(cfg, args.onnx_file, [get_packed_inputs(
            4, with_heatmap=False, with_reg_label=False,
            with_simcc_label=False) for _ in range(2)])
        report({})
        return

    from mmmoga.utils import median_seconds
    model = timed_model(args, cfg)
    packed = get_packed_inputs(args.batch, with_heatmap=False,
                               with_reg_label=False, with_simcc_label=False)
    seconds, results = median_seconds(lambda: model.test_step(packed),
                                      args.warmup, args.runs)
    assert len(results) == args.batch
    report(dict(crops_per_second=args.batch / seconds,
                allocator=allocator, threads=torch.get_num_threads()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch', type=int, default=16)
    add_round_arguments(parser)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--onnx-file', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    with tempfile.TemporaryDirectory(prefix='pose_throughput_') as folder:
        measure(args, osp.join(folder, 'pose_moga_s.onnx'))


def measure(args, onnx_file):
    exported = run_worker(__file__, ['--worker', 'export', '--onnx-file',
                                     onnx_file])
    print(f'exported MogaNet-S 256x192: ONNX Runtime equals PyTorch within '
          f'{exported["difference"]:.1e} of the largest output', flush=True)
    run_worker(__file__, ['--worker', 'quantize', '--onnx-file', onnx_file])
    print('quantized it to INT8 for ONNX Runtime and OpenVINO (ranges from '
          'random crops)', flush=True)
    results = {name: [] for name in VARIANTS}
    countdown = Countdown(args.rounds * len(VARIANTS))
    for round_index in range(args.rounds):
        for name in VARIANTS:
            measured = run_worker(__file__, [
                '--worker', name, '--batch', args.batch, '--runs',
                args.runs, '--warmup', args.warmup, '--onnx-file', onnx_file
            ])
            results[name].append(measured['crops_per_second'])
            print(f'{countdown.tick()} round {round_index + 1}/'
                  f'{args.rounds} {name:<16} '
                  f'{measured["crops_per_second"]:7.1f} crops/s '
                  f'({measured["allocator"]}, {measured["threads"]} '
                  'threads)', flush=True)
    speed = {name: statistics.median(r) for name, r in results.items()}
    print(f'\nTop-down pose, MogaNet-S 256x192 with flip test, batch '
          f'{args.batch}, crops per second (median of {args.rounds} rounds x '
          f'{args.runs} runs)')
    for name, value in speed.items():
        print(f'{name:<18}{value:8.1f}')
    print()
    for name in ('onnxruntime', 'openvino'):
        print(f'{name + " / deploy":<26}'
              f'{speed[name] / speed["deploy"]:6.2f}x')
    for name in ('onnxruntime', 'openvino'):
        print(f'{name + " INT8 / float32":<26}'
              f'{speed[name + "_int8"] / speed[name]:6.2f}x')
    print(f'{"deploy / plain":<26}{speed["deploy"] / speed["plain"]:6.2f}x')


if __name__ == '__main__':
    main()
