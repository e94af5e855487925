"""Single-image latency of Mask R-CNN with MogaNet-S (plain and deploy mode)
against Mask R-CNN with ResNet-50 on this machine's CPU.

    python benchmarks/detector_latency.py          # make bench runs this
    python benchmarks/detector_latency.py --rounds 5 --size 800 1216

Both detectors come from the same MMDetection base config
(mask-rcnn_r50_fpn_1x_coco.py; ours only swaps the backbone and FPN input
widths) and run ``test_step`` on one 800x1216 image: pre-processing, the
backbone, FPN, RPN, RoI heads and mask post-processing. Randomly initialised
detectors score every box about equally, so the RoI heads' score threshold
is set to 0 for both: each keeps its 100 best boxes and runs the mask head on
them, as a trained detector does on a busy COCO image. Tuned malloc, the
machine's torch thread count; every measurement is a fresh subprocess,
rounds interleaved, the median over rounds of the median over runs.
"""
import statistics
import time

from common import detector_parser, report, run_worker

CONFIGS = {
    'moganet_s': 'configs/det/mask_rcnn_moga_s.py',
    'moganet_s_deploy': 'configs/det/mask_rcnn_moga_s.py',
    'r50': 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py',
}


def worker(args):
    from mmmoga.utils import tune_malloc
    allocator = tune_malloc()
    import torch
    from mmdet.testing import demo_mm_inputs
    from mmengine.config import Config
    from mmengine.hub import get_config

    import mmmoga  # noqa: F401
    from mmmoga.engine import build_config_model
    from mmmoga.models import switch_model_to_deploy
    path = CONFIGS[args.worker]
    # get_config resolves the 'mmdet::' prefix of a library config.
    cfg = get_config(path) if '::' in path else Config.fromfile(path)
    cfg.model.test_cfg.rcnn.score_thr = 0.
    # Random weights: the backbones' own initialisation, no download.
    cfg.model.backbone.pop('init_cfg', None)
    torch.manual_seed(0)
    model = build_config_model(cfg)
    model.init_weights()
    model.eval()
    if args.worker.endswith('_deploy'):
        switch_model_to_deploy(model)
    height, width = args.size
    packed = demo_mm_inputs(1, image_shapes=[(3, height, width)],
                            num_items=[0], with_mask=True)
    times, detections = [], None
    with torch.no_grad():
        for index in range(args.warmup + args.runs):
            start = time.perf_counter()
            (result, ) = model.test_step(packed)
            if index >= args.warmup:
                times.append(time.perf_counter() - start)
            detections = len(result.pred_instances)
    report(dict(seconds=statistics.median(times), detections=detections,
                allocator=allocator, threads=torch.get_num_threads()))


def main():
    parser = detector_parser(__doc__)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--warmup', type=int, default=1)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    results = {name: [] for name in CONFIGS}
    for round_index in range(args.rounds):
        for name in CONFIGS:
            measured = run_worker(__file__, [
                '--worker', name, '--runs', args.runs, '--warmup',
                args.warmup, '--size', *args.size
            ])
            results[name].append(measured['seconds'])
            print(f'round {round_index + 1}/{args.rounds} {name:<17} '
                  f'{measured["seconds"]:6.2f} s  '
                  f'({measured["detections"]} detections, '
                  f'{measured["allocator"]}, {measured["threads"]} threads)',
                  flush=True)
    latency = {name: statistics.median(r) for name, r in results.items()}
    height, width = args.size
    print(f'\nMask R-CNN, one {height}x{width} image, seconds (median of '
          f'{args.rounds} rounds x {args.runs} runs)')
    for name, seconds in latency.items():
        print(f'{name:<19}{seconds:8.2f}')
    print()
    print(f'{"MogaNet-S deploy / R50":<40}'
          f'{latency["moganet_s_deploy"] / latency["r50"]:6.2f}x'
          '   target <= 1.2x')
    print(f'{"MogaNet-S plain / R50":<40}'
          f'{latency["moganet_s"] / latency["r50"]:6.2f}x')
    print(f'{"MogaNet-S deploy / plain":<40}'
          f'{latency["moganet_s_deploy"] / latency["moganet_s"]:6.2f}x')


if __name__ == '__main__':
    main()
