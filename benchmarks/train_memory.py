"""Peak training memory of Mask R-CNN + MogaNet-S with and without
activation checkpointing (``with_cp``) on this machine's CPU.

    python benchmarks/train_memory.py          # make bench runs this
    python benchmarks/train_memory.py --steps 2 --size 800 1216

Each setting runs in a fresh subprocess: it builds the detector of
configs/det/mask_rcnn_moga_s.py (random weights), takes ``--steps``
training steps (forward, backward, AdamW update) on a batch of 2 random
800x1216 images with 5 boxes and masks each, and reports its peak resident
memory (max RSS) and the RSS once the model was built, so that the training
part (activations, gradients, optimizer state) shows separately. Tuned
malloc, as in tools/train.py.
"""
import resource
import time

from common import detector_parser, report, run_worker

CONFIG = 'configs/det/mask_rcnn_moga_s.py'


def max_rss_mib():
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(args):
    from mmmoga.utils import tune_malloc
    allocator = tune_malloc()
    import torch
    from mmdet.testing import demo_mm_inputs
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    import mmmoga  # noqa: F401
    from mmmoga.engine import build_config_model
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.pop('init_cfg', None)  # random weights, no download
    cfg.model.backbone.with_cp = args.worker == 'with_cp'
    torch.manual_seed(0)
    model = build_config_model(cfg)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    height, width = args.size
    packed = demo_mm_inputs(2, image_shapes=[(3, height, width)] * 2,
                            num_items=[5, 5], with_mask=True)
    built = max_rss_mib()
    start = time.perf_counter()
    for _ in range(args.steps):
        log_vars = model.train_step(packed, optim_wrapper)
    seconds = (time.perf_counter() - start) / args.steps
    report(dict(peak_mib=max_rss_mib(), built_mib=built, seconds=seconds,
                loss=float(log_vars['loss']), allocator=allocator))


def main():
    parser = detector_parser(__doc__)
    parser.add_argument('--steps', type=int, default=1)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    results = {}
    for setting in ('plain', 'with_cp'):
        results[setting] = run_worker(__file__, [
            '--worker', setting, '--steps', args.steps, '--size', *args.size
        ])
        measured = results[setting]
        print(f'{setting:<8} peak {measured["peak_mib"]:8.0f} MiB, after '
              f'building {measured["built_mib"]:6.0f} MiB, '
              f'{measured["seconds"]:5.1f} s/step, loss '
              f'{measured["loss"]:.3f} ({measured["allocator"]})',
              flush=True)
    plain, with_cp = results['plain'], results['with_cp']
    height, width = args.size
    print(f'\nMask R-CNN + MogaNet-S training, batch 2 at {height}x{width}, '
          f'{args.steps} steps: peak RSS')
    print(f'{"with_cp / plain (whole process)":<44}'
          f'{with_cp["peak_mib"] / plain["peak_mib"]:6.2f}x   '
          f'cut {1 - with_cp["peak_mib"] / plain["peak_mib"]:.0%}, '
          'target >= 30%')
    training = {k: v['peak_mib'] - v['built_mib'] for k, v in results.items()}
    print(f'{"with_cp / plain (above the built model)":<44}'
          f'{training["with_cp"] / training["plain"]:6.2f}x   '
          f'cut {1 - training["with_cp"] / training["plain"]:.0%}')
    print(f'{"with_cp / plain (time per step)":<44}'
          f'{with_cp["seconds"] / plain["seconds"]:6.2f}x')


if __name__ == '__main__':
    main()
