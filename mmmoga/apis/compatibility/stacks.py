"""The stacks mmmoga is installed on (``make install [STACK=onedl]``) and a
measured record of each: per task, its toy demo trained and tested with the
library's metric, the trained model exported to ONNX and that file tested
in ONNX Runtime; a task whose library does not import on the stack is
recorded with the one line its tools answer.

The records (``work_dirs/compatibility/<stack>.json``) make the table of
docs/installation.md (:func:`compatibility_table`)."""
import json
import os
import os.path as osp
import sys
import time
import traceback
from importlib.metadata import PackageNotFoundError, version
from typing import Dict, List, Optional

from mmengine.runner import find_latest_checkpoint

from mmmoga.engine import build_runner
from mmmoga.errors import ConfigCheckError
from mmmoga.tasks import TASKS

from ..export import export_onnx
from ..run import load_config, prepare_testing
from ..toy_demos import DEMOS, run_demo
from ..toy_demos.demos import demo_targets

# The distribution of each import name, per stack: the forks keep the
# import names under distributions of their own. OneDL publishes no MMPose;
# upstream's is what a user would try there.
STACKS: Dict[str, Dict[str, str]] = {
    'default': dict(mmengine='mmengine', mmcv='mmcv', mmdet='mmdet',
                    mmseg='mmsegmentation', mmpretrain='mmpretrain',
                    mmpose='mmpose'),
    'onedl': dict(mmengine='onedl-mmengine', mmcv='onedl-mmcv',
                  mmdet='onedl-mmdetection', mmseg='onedl-mmsegmentation',
                  mmpretrain='onedl-mmpretrain', mmpose='mmpose'),
}
# How each stack is installed, for the table.
INSTALL_COMMANDS = {'default': 'make install',
                    'onedl': 'make install STACK=onedl'}
# The demo each task's row runs (tools/train_toy.py): pose's is the heatmap
# one (the exporter does not take RTMPose's SimCC head).
TASK_DEMOS = {'det': 'det', 'seg': 'seg', 'pose': 'pose', 'cls': 'cls'}
RESULTS_DIR = 'work_dirs/compatibility'
COMPATIBILITY_SECTION = 'compatibility-table'


def stack_name() -> str:
    """``'onedl'`` where onedl-mmcv is installed, else ``'default'``."""
    try:
        version('onedl-mmcv')
    except PackageNotFoundError:
        return 'default'
    return 'onedl'


def _version(distribution: str) -> Optional[str]:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def installed_versions(stack: str) -> Dict[str, Optional[str]]:
    """Distribution -> installed version (None: not installed) of torch,
    numpy and the stack's libraries."""
    names = ['torch', 'numpy', *STACKS[stack].values()]
    return {name: _version(name) for name in names}


def check_stack(stack: str):
    """A :class:`ConfigCheckError` unless this interpreter has ``stack``
    (upstream packages beside the forks included)."""
    if stack not in STACKS:
        raise ConfigCheckError(f'--stack {stack}: the stacks are '
                               f'{", ".join(STACKS)}')
    found = stack_name()
    if found != stack:
        raise ConfigCheckError(
            f'--stack {stack}: this interpreter ({sys.executable}) has the '
            f'{found} stack; run the tool with that stack\'s python '
            f'({INSTALL_COMMANDS[stack]} makes it)')


def _failure(error: BaseException) -> str:
    # The whole traceback goes to the log; the record keeps one line.
    traceback.print_exc()
    message = str(error).strip().splitlines()
    return f'{type(error).__name__}: {message[0] if message else ""}'


def _own_metrics(metrics: dict, demo) -> Dict[str, float]:
    """The demo model's target metrics in ``metrics`` (a test's), on the
    demo table's scale (the pose demo's person detector is not
    exported)."""
    return {key: float(metrics[key]) * demo.metric_scale
            for key in demo.targets if key in demo.reported}


def run_task(task: str, work_dir: str) -> dict:
    """The record of ``task`` on this stack: its demo trained and tested
    in ``work_dir`` (metrics against the targets), exported to ONNX, the
    ONNX model tested in ONNX Runtime. A step that fails is recorded with
    its error and ends the task's run: this measures, it does not stop at
    the first task that breaks."""
    name = TASK_DEMOS[task]
    demo = DEMOS[name]
    record = dict(task=task, demo=name, seconds=None, refused=None,
                  trained=None, exported=None, onnx_metrics=None)
    start = time.time()
    try:
        TASKS[task].check_library()
    except ConfigCheckError as error:
        record['refused'] = str(error)
        return record
    try:
        result = run_demo(name, work_dir)
        targets = demo_targets(name)
        # Evaluators give numpy floats, which JSON does not take.
        record['trained'] = dict(
            metrics={key: float(result.metrics[key]) for key in targets},
            targets=targets, passed=result.passed)
        onnx_file = osp.join(work_dir, 'compatibility.onnx')
        exported = export_onnx(load_config(demo.config),
                               find_latest_checkpoint(work_dir), onnx_file)
        record['exported'] = dict(
            file=onnx_file, fixed_size=exported.fixed_size,
            note=exported.check_note)
        cfg = load_config(demo.config)
        cfg.work_dir = osp.join(work_dir, 'onnx_test')
        prepare_testing(cfg, onnx_file, backend='onnxruntime')
        record['onnx_metrics'] = _own_metrics(build_runner(cfg).test(),
                                              demo)
    # Any error of a library on this stack is a finding to record.
    except Exception as error:  # noqa: BLE001
        record['error'] = _failure(error)
    record['seconds'] = time.time() - start
    return record


def run_stack(tasks: List[str], allocator: str) -> dict:
    """Runs :func:`run_task` for each of ``tasks`` on this interpreter's
    stack, in ``work_dirs/compatibility/<stack>/<task>``; the record is
    saved after each task (:func:`save_stack_result`), so that a run cut
    short keeps what it measured."""
    stack = stack_name()
    versions = installed_versions(stack)
    result = dict(stack=stack, install=INSTALL_COMMANDS[stack],
                  versions=versions, allocator=allocator, finished=None,
                  tasks=[])
    # The other tasks' records of an earlier run on the same versions stay
    # (a run of some tasks replaces theirs).
    records = {record['task']: record for earlier in load_stack_results()
               if earlier['stack'] == stack and earlier['versions'] ==
               versions for record in earlier['tasks']}
    for task in tasks:
        print(f'[compatibility] {stack} stack: {task}')
        records[task] = run_task(task, osp.join(RESULTS_DIR, stack, task))
        result['tasks'] = [records[name] for name in TASK_DEMOS
                           if name in records]
        result['finished'] = time.strftime('%Y-%m-%d %H:%M')
        save_stack_result(result)
    return result


def task_passed(record: dict) -> bool:
    """Every step ran and the demo met its targets (a refused task is not
    a failure: its tools say why)."""
    if record['refused'] is not None:
        return True
    return record['onnx_metrics'] is not None and \
        record['trained']['passed']


def save_stack_result(result: dict) -> str:
    """Writes ``work_dirs/compatibility/<stack>.json``; returns the path."""
    os.makedirs(RESULTS_DIR, exist_ok=True)
    path = osp.join(RESULTS_DIR, f'{result["stack"]}.json')
    with open(path, 'w') as file:
        json.dump(result, file, indent=1)
    return path


def load_stack_results() -> List[dict]:
    """The saved record of each stack that has one, default first."""
    results = []
    for stack in STACKS:
        path = osp.join(RESULTS_DIR, f'{stack}.json')
        if osp.isfile(path):
            with open(path) as file:
                results.append(json.load(file))
    return results


def _metrics_text(metrics: Dict[str, float]) -> str:
    return ', '.join(f'{key} {value:.3f}' for key, value in metrics.items())


def _task_cells(record: dict) -> List[str]:
    if record['refused'] is not None:
        return ['not available: ' + record['refused'].replace('|', '/'),
                '', '', '']
    trained = record['trained']
    if trained is None:
        return [f'failed: {record["error"]}', '', '', '']
    targets = ', '.join(f'>= {value:.2f}'
                        for value in trained['targets'].values())
    test = _metrics_text(trained['metrics'])
    test += f' (targets {targets}: {"met" if trained["passed"] else "MISSED"})'
    if record['exported'] is None:
        return ['yes', test, f'failed: {record["error"]}', '']
    # fixed_size: why the graph takes one input size only (or None).
    exported = 'yes' if record['exported']['fixed_size'] is None else \
        f'yes, of one input size ({record["exported"]["fixed_size"]})'
    onnx = _metrics_text(record['onnx_metrics']) if \
        record['onnx_metrics'] is not None else f'failed: {record["error"]}'
    return ['yes', test, exported, onnx]


def _version_cell(result: dict, module: str) -> str:
    """The version of what provides ``module`` on the record's stack; a
    fork's distribution is named."""
    distribution = STACKS[result['stack']].get(module, module)
    found = result['versions'].get(distribution)
    if found is None:
        return '-'
    upstream = STACKS['default'].get(module, module)
    return found if distribution == upstream else f'{distribution} {found}'


def compatibility_table(results: List[dict]) -> str:
    """Two Markdown tables of saved stack records: the versions of each
    stack (a column per import name), then per stack and task what ran and
    its result."""
    modules = ['torch', 'numpy', *STACKS['default']]
    lines = ['| stack | install | ' + ' | '.join(modules) +
             ' | measured (malloc) |',
             '|---|---|' + '---|' * len(modules) + '---|']
    for result in results:
        cells = [result['stack'], f'`{result["install"]}`']
        cells += [_version_cell(result, module) for module in modules]
        cells.append(f'{result["finished"]} ({result["allocator"]})')
        lines.append('| ' + ' | '.join(cells) + ' |')
    lines += ['', '| stack | task (demo) | trained | tested: demo metrics | '
              'exported to ONNX | ONNX Runtime: same metrics | time (min) |',
              '|---|---|---|---|---|---|---|']
    for result in results:
        for record in result['tasks']:
            minutes = '' if record['seconds'] is None else \
                f'{record["seconds"] / 60:.1f}'
            cells = [result['stack'], f'{record["task"]} '
                     f'(`tools/train_toy.py {record["demo"]}`)',
                     *_task_cells(record), minutes]
            lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
