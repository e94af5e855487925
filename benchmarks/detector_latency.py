"""Single-image latency of Mask R-CNN with MogaNet-S (plain, deploy mode, and
its ONNX export in ONNX Runtime and OpenVINO) against Mask R-CNN with
ResNet-50 on this machine's CPU.

    python benchmarks/detector_latency.py          # make bench runs this
    python benchmarks/detector_latency.py --rounds 5 --size 800 1216

Both detectors come from the same MMDetection base config
(mask-rcnn_r50_fpn_1x_coco.py; ours only swaps the backbone and FPN input
widths) and run ``test_step`` on one 800x1216 image: pre-processing, the
backbone, FPN, RPN, RoI heads and mask post-processing. Randomly initialised
detectors score every box about equally, so the RoI heads' score threshold
is set to 0 for both: each keeps its 100 best boxes and runs the mask head on
them, as a trained detector does on a busy COCO image (the class layers'
weights are drawn wider than their initialisation, so that the scores differ
clearly and the export check sees the same 100 boxes in both runtimes).

The ONNX variants run the deploy-mode model exported once by
``tools/export_onnx.py``'s code at the image size, through ``OnnxModel``'s
``test_step``: the same pre-processing and mask pasting around the graph; the
``_int8`` ones that file quantized by ``tools/quantize.py``'s quantizers (no
remedy; ranges from random images, which the speed does not depend on).
Tuned malloc, the machine's thread count in every runtime (OpenVINO in
float32); every measurement is a fresh subprocess, rounds interleaved, the
median over rounds of the median over runs.
"""
import argparse
import os.path as osp
import statistics
import tempfile

from common import (
    Countdown,
    add_round_arguments,
    detector_parser,
    export_and_report,
    exported_model,
    int8_file,
    quantize_for_timing,
    random_model,
    random_weights_config,
    report,
    run_worker,
)

MOGANET_S = 'configs/det/mask_rcnn_moga_s.py'
CONFIGS = {
    'moganet_s': MOGANET_S,
    'moganet_s_deploy': MOGANET_S,
    'moganet_s_onnxruntime': MOGANET_S,
    'moganet_s_openvino': MOGANET_S,
    'moganet_s_onnxruntime_int8': MOGANET_S,
    'moganet_s_openvino_int8': MOGANET_S,
    'r50': 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
}
ONNX_BACKENDS = {'moganet_s_onnxruntime': 'onnxruntime',
                 'moganet_s_openvino': 'openvino',
                 'moganet_s_onnxruntime_int8': 'onnxruntime',
                 'moganet_s_openvino_int8': 'openvino'}


def benchmark_config(name):
    cfg = random_weights_config(CONFIGS[name])
    cfg.model.test_cfg.rcnn.score_thr = 0.
    return cfg


def random_detector(cfg):
    from torch import nn
    model = random_model(cfg)
    nn.init.normal_(model.roi_head.bbox_head.fc_cls.weight, std=0.3)
    return model


def timed_model(args, cfg):
    """The model a worker times: PyTorch (plain or deploy) or the exported
    file in its runtime, with the same data preprocessor."""
    from mmmoga.models import reparameterize_model
    if args.worker in ONNX_BACKENDS:
        backend = ONNX_BACKENDS[args.worker]
        path = int8_file(args.onnx_file, backend) if args.worker.endswith(
            '_int8') else args.onnx_file
        return exported_model(cfg, path, backend)
    model = random_detector(cfg)
    if args.worker.endswith('_deploy'):
        reparameterize_model(model)
    return model


def worker(args):
    from mmmoga.utils import tune_malloc
    allocator = tune_malloc()
    cfg = benchmark_config('moganet_s' if args.worker in (
        'export', 'quantize') else args.worker)
    if args.worker == 'export':
        export_and_report(cfg, random_detector(cfg), args.onnx_file,
                          tuple(args.size))
        return
    import torch
    from mmdet.testing import demo_mm_inputs
    height, width = args.size
    if args.worker == 'quantize':
        quantize_for_timing(cfg, args.onnx_file, [demo_mm_inputs(
            1, image_shapes=[(3, height, width)], num_items=[0],
            with_mask=True) for _ in range(2)])
        report({})
        return

    from mmmoga.utils import median_seconds
    model = timed_model(args, cfg)
    packed = demo_mm_inputs(1, image_shapes=[(3, height, width)],
                            num_items=[0], with_mask=True)
    seconds, (result, ) = median_seconds(lambda: model.test_step(packed),
                                         args.warmup, args.runs)
    report(dict(seconds=seconds, detections=len(result.pred_instances),
                allocator=allocator, threads=torch.get_num_threads()))


def main():
    parser = detector_parser(__doc__)
    add_round_arguments(parser, runs=3, warmup=1)
    parser.add_argument('--onnx-file', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    with tempfile.TemporaryDirectory(prefix='detector_latency_') as folder:
        measure(args, osp.join(folder, 'mask_rcnn_moga_s.onnx'))


def measure(args, onnx_file):
    """Exports MogaNet-S's detector to ``onnx_file``, then times every
    variant, the rounds interleaved, and prints the table and ratios."""
    exported = run_worker(__file__, ['--worker', 'export', '--onnx-file',
                                     onnx_file, '--size', *args.size])
    print(f'exported MogaNet-S Mask R-CNN: ONNX Runtime equals PyTorch '
          f'within {exported["difference"]:.1e} of the largest output'
          + (f' ({exported["note"]})' if exported['note'] else ''),
          flush=True)
    run_worker(__file__, ['--worker', 'quantize', '--onnx-file', onnx_file,
                          '--size', *args.size])
    print('quantized it to INT8 for ONNX Runtime and OpenVINO (ranges from '
          'random images)', flush=True)
    results = {name: [] for name in CONFIGS}
    countdown = Countdown(args.rounds * len(CONFIGS))
    for round_index in range(args.rounds):
        for name in CONFIGS:
            measured = run_worker(__file__, [
                '--worker', name, '--runs', args.runs, '--warmup',
                args.warmup, '--size', *args.size, '--onnx-file', onnx_file
            ])
            results[name].append(measured['seconds'])
            print(f'{countdown.tick()} round {round_index + 1}/'
                  f'{args.rounds} {name:<26} '
                  f'{measured["seconds"]:6.2f} s  '
                  f'({measured["detections"]} detections, '
                  f'{measured["allocator"]}, {measured["threads"]} threads)',
                  flush=True)
    latency = {name: statistics.median(r) for name, r in results.items()}
    height, width = args.size
    print(f'\nMask R-CNN, one {height}x{width} image, seconds (median of '
          f'{args.rounds} rounds x {args.runs} runs)')
    for name, seconds in latency.items():
        print(f'{name:<28}{seconds:8.2f}')
    print()
    print(f'{"MogaNet-S deploy / R50":<40}'
          f'{latency["moganet_s_deploy"] / latency["r50"]:6.2f}x'
          '   target <= 1.2x')
    print(f'{"MogaNet-S plain / R50":<40}'
          f'{latency["moganet_s"] / latency["r50"]:6.2f}x')
    print(f'{"MogaNet-S deploy / plain":<40}'
          f'{latency["moganet_s_deploy"] / latency["moganet_s"]:6.2f}x')
    for name in ('moganet_s_onnxruntime', 'moganet_s_openvino'):
        target = '   target <= 1.0x' if name.endswith('onnxruntime') else ''
        print(f'{"MogaNet-S " + ONNX_BACKENDS[name] + " / deploy":<40}'
              f'{latency[name] / latency["moganet_s_deploy"]:6.2f}x'
              + target)
    # Speed-ups: float32 latency over INT8 latency in the same runtime.
    for name in ('moganet_s_onnxruntime', 'moganet_s_openvino'):
        target = '   target >= 1.5x' if name.endswith('openvino') else ''
        print(f'{"MogaNet-S " + ONNX_BACKENDS[name] + " INT8 speed-up":<40}'
              f'{latency[name] / latency[name + "_int8"]:6.2f}x' + target)


if __name__ == '__main__':
    main()
