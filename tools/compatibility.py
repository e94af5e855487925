"""What each task does on this interpreter's stack of OpenMMLab libraries:
its toy demo trained and tested, exported to ONNX, the ONNX model tested.

    .venv/bin/python tools/compatibility.py        # the default stack
    .venv-onedl/bin/python tools/compatibility.py  # the OneDL forks
    python tools/compatibility.py --table --update-docs

Each run saves work_dirs/compatibility/<stack>.json; --table prints the
saved records of every stack as the tables of docs/installation.md (`make
compatibility` runs both stacks, then writes them). Exits with status 1 if
a task the stack serves failed a step or missed its demo's target.
"""
import argparse
import os.path as osp

from mmmoga.apis import report_errors
from mmmoga.apis.compatibility import (
    COMPATIBILITY_SECTION,
    check_stack,
    compatibility_table,
    load_stack_results,
    run_stack,
    save_stack_result,
)
from mmmoga.apis.compatibility.stacks import TASK_DEMOS, task_passed
from mmmoga.apis.run.cli import ToolArgumentParser
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import add_allocator_argument, tune_malloc
from mmmoga.utils.markdown import print_marked_section

INSTALLATION_DOC = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                            'docs', 'installation.md')


def parse_args():
    parser = ToolArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 3)[3])
    parser.add_argument('--tasks', nargs='+', choices=sorted(TASK_DEMOS),
                        default=list(TASK_DEMOS),
                        help='the tasks to run (default: all)')
    parser.add_argument('--stack',
                        help='fail unless this interpreter has this stack '
                        '(default, onedl)')
    parser.add_argument('--table', action='store_true',
                        help='run nothing: print the saved records of every '
                        'stack as tables')
    parser.add_argument('--update-docs', action='store_true',
                        help=f'with --table: write them into '
                        f'{INSTALLATION_DOC}')
    add_allocator_argument(parser)
    return parser.parse_args()


def print_table(update_docs: bool):
    results = load_stack_results()
    if not results:
        raise ConfigCheckError('no stack has a saved record yet (run '
                               'tools/compatibility.py with each stack\'s '
                               'python first)')
    print_marked_section(compatibility_table(results), INSTALLATION_DOC,
                         COMPATIBILITY_SECTION, update_docs)


def main():
    args = parse_args()
    if args.table or args.update_docs:
        print_table(args.update_docs)
        return
    if args.stack is not None:
        check_stack(args.stack)
    allocator = tune_malloc(not args.default_malloc)
    result = run_stack(args.tasks, allocator)
    print(compatibility_table([result]))
    print(f'saved {save_stack_result(result)}')
    failed = [record['task'] for record in result['tasks']
              if not task_passed(record)]
    if failed:
        raise SystemExit(f'[compatibility] failed on the {result["stack"]} '
                         f'stack: {", ".join(failed)}')


if __name__ == '__main__':
    report_errors(main)
