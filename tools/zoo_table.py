"""Generates the model-zoo tables: every config counted (params, FLOPs at
the official input size) and, on request, timed, beside the published
numbers of its metafile entry and the metrics of our own runs.

    python tools/zoo_table.py                       # the whole zoo
    python tools/zoo_table.py configs/cls --speed --out-dir bench
    python tools/zoo_table.py --work-dirs work_dirs # our metrics too
    # docs/zoo/ (table.md, table.csv, plots) and configs/<task>/README.md
    python tools/zoo_table.py --out-dir docs/zoo --update-docs

Writes OUT_DIR/table.md (one section per task), table.csv and PNG plots.
A config that cannot be built or counted gets a row with its error.
"""
import logging
import os.path as osp
import time

import torch
from mmengine.logging import MMLogger

from mmmoga.apis import report_errors
from mmmoga.apis.run.cli import ToolArgumentParser
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import add_allocator_argument, tune_malloc
from mmmoga.zoo import (
    expand_configs,
    load_published,
    read_csv,
    update_task_readmes,
    write_outputs,
    zoo_rows,
)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args():
    parser = ToolArgumentParser(description='Model-zoo tables')
    parser.add_argument(
        'configs', nargs='*',
        help='config files, folders or globs (default: every config of '
        'the metafiles)')
    parser.add_argument('--out-dir', default='zoo_table',
                        help='where table.md, table.csv and plots go')
    parser.add_argument(
        '--work-dirs',
        help='root of the work dirs (one per config name) whose test or '
        'validation metrics fill the "ours" columns')
    parser.add_argument('--task', choices=['det', 'seg', 'pose', 'cls'],
                        help='only the configs of this task')
    parser.add_argument('--speed', action='store_true',
                        help='measure latency and throughput')
    parser.add_argument('--device', default='cpu',
                        help='device of the speed runs, e.g. cuda:0')
    parser.add_argument('--speed-batch', type=int, default=1,
                        help='batch size of the throughput runs (detection '
                        'always 1)')
    parser.add_argument('--repeats', type=int, default=5,
                        help='timed runs per config (the median is kept), '
                        'after 2 warm-up runs')
    add_allocator_argument(parser)
    parser.add_argument(
        '--update-docs', action='store_true',
        help='rewrite the zoo table of each configs/<task>/README.md from '
        'this run')
    parser.add_argument(
        '--from-csv',
        help='re-render table.md, plots (and with --update-docs the '
        'task READMEs) from the table.csv of an earlier run instead of '
        'counting')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.from_csv:
        if not osp.isfile(args.from_csv):
            raise ConfigCheckError(f'--from-csv: {args.from_csv} does not '
                                   'exist')
        rows = read_csv(args.from_csv)
        finish(rows, args)
        return
    allocator = tune_malloc(not args.default_malloc)
    published = load_published(REPO)
    configs = expand_configs(args.configs, REPO) if args.configs else \
        list(published)
    if args.task:
        configs = [c for c in configs
                   if c not in published or published[c].task == args.task]
    if not configs:
        raise ConfigCheckError('no configs matched '
                               f'{args.configs or "the metafiles"}')
    if args.device.startswith('cuda') and not torch.cuda.is_available():
        raise ConfigCheckError(f'--device {args.device}: CUDA is not '
                               'available here')
    # Building models logs every init step; the table is the output.
    MMLogger.get_instance('mmengine').setLevel(logging.ERROR)

    start = time.time()
    rows = zoo_rows(configs, REPO, published, task=args.task,
                    work_dirs=args.work_dirs, speed=args.speed,
                    device=args.device, speed_batch=args.speed_batch,
                    repeats=args.repeats, allocator=allocator)
    errors = [r for r in rows if r.get('error')]
    print(f'{len(rows)} configs in {time.time() - start:.0f} s '
          f'({torch.get_num_threads()} threads); {len(errors)} errors')
    for row in errors:
        print(f"  {row['config']}: {row['error']}")
    finish(rows, args)


def finish(rows, args):
    """Writes the outputs of ``rows`` and, if asked, the task READMEs."""
    outputs = write_outputs(rows, args.out_dir)
    print(f"wrote {outputs['md']}, {outputs['csv']} and plots")
    if args.update_docs:
        for path in update_task_readmes(REPO, rows):
            print(f'updated the zoo table of {path}')


if __name__ == '__main__':
    report_errors(main)
