"""Images per second of a whole model, on the CPU or a GPU: the part of the
model the zoo table counts (tools/analysis/get_flops.py says which), run
``--warmup`` times untimed, then ``--repeats`` times; the median run gives
the figure.

    python tools/analysis/benchmark.py configs/cls/moganet_s_in1k.py \\
        --batch-size 8
    python tools/analysis/benchmark.py mask_rcnn_moga_s --shape 800 1333 \\
        --deploy
    python tools/analysis/benchmark.py configs/seg/upernet_moga_s.py \\
        work_dirs/upernet_moga_s/iter_160000.pth --device cuda

The weights do not change the speed; a checkpoint is only loaded (strictly)
so that the model timed is yours. On the CPU the figure depends on the
thread count (``torch.set_num_threads``, ``OMP_NUM_THREADS``) and the
malloc setting, which the output states (``--default-malloc``:
docs/performance.md). Compare figures measured in one run on one machine.
"""
import torch

from mmmoga.apis import report_errors
from mmmoga.apis.analysis import (
    add_analysis_arguments,
    analysis_model,
    counted_size,
    measure_speed,
)
from mmmoga.apis.run.cli import ToolArgumentParser, count_from
from mmmoga.errors import ConfigCheckError
from mmmoga.tasks import task_of
from mmmoga.utils import add_allocator_argument, counted, tune_malloc


def parse_args():
    parser = ToolArgumentParser(
        description='Images per second of a whole model')
    add_analysis_arguments(parser)
    parser.add_argument('checkpoint', nargs='?',
                        help='weights to load (optional)')
    parser.add_argument('--device', default='cpu',
                        help='cpu, cuda or cuda:N')
    parser.add_argument(
        '--batch-size', type=count_from(1), default=1,
        help='images per forward (detectors: 1 only)')
    parser.add_argument('--warmup', type=count_from(0), default=2,
                        help='untimed runs first')
    parser.add_argument('--repeats', type=count_from(1), default=10,
                        help='timed runs; the median is reported')
    add_allocator_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise ConfigCheckError(f'--device {args.device}: no CUDA device '
                               'is visible to torch')
    allocator = tune_malloc(not args.default_malloc)
    cfg, model = analysis_model(args.config, args.checkpoint, args.deploy,
                                args.cfg_options)
    task = task_of(cfg).name
    if task == 'det' and args.batch_size != 1:
        raise ConfigCheckError('detectors are timed at --batch-size 1')
    size = counted_size(cfg, task, args.shape)
    speed = measure_speed(model, cfg, task, device=args.device,
                          warmup=args.warmup, repeats=args.repeats,
                          batch_size=args.batch_size, size=size,
                          progress='timing')
    device = args.device if not args.device.startswith('cuda') else \
        torch.cuda.get_device_name(torch.device(args.device))
    threads = f', {torch.get_num_threads()} threads' \
        if args.device == 'cpu' else ''
    print(f'{args.config} ({task}{", deploy mode" if args.deploy else ""})'
          f': batches of {counted(args.batch_size, "image")} of '
          f'{size[0]}x{size[1]} '
          f'on {device}{threads}; malloc: {allocator}')
    print(f'{speed["throughput"]:.2f} images/s '
          f'({speed["latency_ms"]:.1f} ms per batch, median of '
          f'{args.repeats} runs after {args.warmup} warm-up runs)')


if __name__ == '__main__':
    report_errors(main)
