"""The toy demos: a MogaNet model learns a toy task from scratch on a CPU, is
evaluated with its library's metric, and draws its predictions
(``mmmoga.apis.toy_demos``).

    python tools/train_toy.py det        # make demo: Mask R-CNN + MogaNet-XT
    python tools/train_toy.py det-boxes  # make demo-det-boxes: Faster R-CNN
                                    # on box-only data, config by
                                    # dataset_config.py
    python tools/train_toy.py seg        # make demo-seg: UperNet
    python tools/train_toy.py pose       # make demo-pose: top-down heatmap
    python tools/train_toy.py pose-rtm   # make demo-pose-rtm: RTMPose-style
                                    # MogaNet-XT (SimCC head)
    python tools/train_toy.py cls        # make demo-cls: classifier
    python tools/train_toy.py --table --update-docs  # docs/demos.md's table

Exits with status 1 if a metric misses its target. Each run saves its
result to WORK_DIR/demo_result.json; --table prints the last result of
every demo as a Markdown table.
"""
import argparse
import os.path as osp

from mmmoga.apis import report_errors
from mmmoga.apis.pictures import DEFAULT_SCORE_THR
from mmmoga.apis.run.cli import ToolArgumentParser
from mmmoga.apis.toy_demos.demos import (
    DEMO_TABLE_SECTION,
    DEMOS,
    default_work_dir,
    demo_table,
    load_results,
    results_table,
    run_demo,
    save_result,
)
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import add_allocator_argument, tune_malloc
from mmmoga.utils.markdown import print_marked_section

DEMOS_DOC = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'docs',
                     'demos.md')


def parse_args():
    parser = ToolArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 3)[3])
    parser.add_argument('task', nargs='?', default='det',
                        choices=sorted(DEMOS),
                        help='which demo to run (default: det)')
    parser.add_argument('--work-dir',
                        help='default: work_dirs/demo (det) or '
                        'work_dirs/demo_<task>')
    parser.add_argument('--score-thr', type=float, default=DEFAULT_SCORE_THR,
                        help='detection: draw predictions scoring at least '
                        'this (default: %(default)s)')
    parser.add_argument('--seed', type=int,
                        help='random seed of the training (default: the toy '
                        'config\'s, 0)')
    parser.add_argument('--amp', action='store_true',
                        help='train and test in mixed precision (bfloat16 '
                        'on a CPU with AVX-512 BF16 or AMX)')
    parser.add_argument('--table', action='store_true',
                        help='run nothing: print the last result of every '
                        'demo (from the default work dirs) as a table')
    parser.add_argument('--update-docs', action='store_true',
                        help=f'with --table: write it into {DEMOS_DOC}')
    add_allocator_argument(parser)
    return parser.parse_args()


def print_table(update_docs: bool):
    results = load_results({task: default_work_dir(task) for task in DEMOS})
    if not results:
        raise ConfigCheckError('no demo has saved a result yet (run make '
                               'demo first)')
    print_marked_section(demo_table(results), DEMOS_DOC, DEMO_TABLE_SECTION,
                         update_docs)


def main():
    args = parse_args()
    if args.table or args.update_docs:
        print_table(args.update_docs)
        return
    allocator = tune_malloc(not args.default_malloc)
    work_dir = args.work_dir or default_work_dir(args.task)
    result = run_demo(args.task, work_dir, score_thr=args.score_thr,
                      seed=args.seed, amp=args.amp)
    save_result(result, work_dir, allocator)
    print(results_table(result, allocator))
    if not result.passed:
        raise SystemExit('[demo] the model missed its target: '
                         f'{DEMOS[args.task].targets}')


if __name__ == '__main__':
    report_errors(main)
