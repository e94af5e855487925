"""tools/compatibility.py: which stack this is, a task whose library does
not import recorded as its tools answer, and the tables of
docs/installation.md from the records (the records themselves come from
`make compatibility`, which trains every demo on both stacks)."""
import pytest

from mmmoga.apis.compatibility import (
    check_stack,
    compatibility_table,
    stack_name,
)
from mmmoga.apis.compatibility.stacks import run_task, task_passed
from mmmoga.errors import ConfigCheckError
from mmmoga.tasks import Task


def test_another_stacks_run_is_refused_naming_how_to_make_it():
    other = 'default' if stack_name() == 'onedl' else 'onedl'
    install = 'make install' + (' STACK=onedl' if other == 'onedl' else '')
    with pytest.raises(ConfigCheckError,
                       match=f'--stack {other}: this interpreter .* has the '
                       f'{stack_name()} stack.*{install}'):
        check_stack(other)
    with pytest.raises(ConfigCheckError, match='the stacks are default, '
                       'onedl'):
        check_stack('newest')
    check_stack(stack_name())


def test_a_task_whose_library_does_not_import_is_recorded_not_run(
        monkeypatch, tmp_path):
    def refuse(task):
        raise ConfigCheckError(f'{task.name} configs need {task.library}')

    monkeypatch.setattr(Task, 'check_library', refuse)
    record = run_task('pose', str(tmp_path / 'pose'))
    assert record['refused'] == 'pose configs need MMPose'
    assert record['trained'] is None and record['seconds'] is None
    assert not (tmp_path / 'pose').exists()  # nothing was trained
    assert task_passed(record)


def _record(task, **fields):
    record = dict(task=task, demo=task, seconds=300., refused=None,
                  trained=None, exported=None, onnx_metrics=None)
    record.update(fields)
    return record


def test_the_tables_say_what_ran_on_each_stack():
    trained = dict(metrics={'accuracy/top1': 0.992},
                   targets={'accuracy/top1': 0.9}, passed=True)
    result = dict(
        stack='onedl', install='make install STACK=onedl',
        versions={'torch': '2.13.0', 'onedl-mmcv': '2.3.6', 'mmpose': None},
        allocator='tuned', finished='2026-12-07 02:00',
        tasks=[
            _record('cls', trained=trained,
                    exported=dict(file='x.onnx', fixed_size=None,
                                  note=None),
                    onnx_metrics={'accuracy/top1': 0.991}),
            _record('seg', trained=dict(trained, passed=False),
                    error='RuntimeError: export failed'),
            _record('pose', seconds=None, refused='pose needs | MMPose'),
        ])
    versions, tasks = compatibility_table([result]).split('\n\n')
    # A column per import name; a fork's distribution is named.
    assert versions.splitlines()[0] == (
        '| stack | install | torch | numpy | mmengine | mmcv | mmdet | mmseg '
        '| mmpretrain | mmpose | measured (malloc) |')
    assert versions.splitlines()[2] == (
        '| onedl | `make install STACK=onedl` | 2.13.0 | - | - | '
        'onedl-mmcv 2.3.6 | - | - | - | - | 2026-12-07 02:00 (tuned) |')
    cls_row, seg_row, pose_row = tasks.splitlines()[2:]
    assert cls_row == (
        '| onedl | cls (`tools/train_toy.py cls`) | yes | accuracy/top1 '
        '0.992 (targets >= 0.90: met) | yes | accuracy/top1 0.991 | 5.0 |')
    assert '(targets >= 0.90: MISSED) | failed: RuntimeError: export ' \
        'failed |' in seg_row
    # A refusal's own '|' would split the cell.
    assert 'not available: pose needs / MMPose' in pose_row
    assert not task_passed(result['tasks'][1])


def test_a_run_records_each_step_and_saves_after_each_task(
        monkeypatch, tmp_path):
    """run_stack with the demo, export and test replaced by stand-ins that
    give numpy metrics, as the evaluators do: the record holds the demo's
    metrics and the ONNX model's, and is saved as JSON after each task
    (the second task's export fails: the first is on disk already); a later
    run of one task replaces only its record."""
    import json
    from types import SimpleNamespace

    import numpy as np

    from mmmoga.apis.compatibility import stacks
    from mmmoga.apis.toy_demos import DEMOS
    monkeypatch.setattr(stacks, 'RESULTS_DIR', str(tmp_path))
    saved = []
    save = stacks.save_stack_result
    monkeypatch.setattr(stacks, 'save_stack_result',
                        lambda result: saved.append(
                            json.load(open(save(result)))))

    def demo(name, work_dir):
        metrics = {key: np.float32(0.75) for key in DEMOS[name].reported}
        return SimpleNamespace(metrics=metrics, passed=True)

    def export(cfg, checkpoint, path):
        if 'seg' in path:
            raise RuntimeError('the graph cannot be traced')
        return SimpleNamespace(fixed_size=None, check_note=None)

    class Runner:
        def test(self):
            return {'accuracy/top1': np.float32(74.5)}

    monkeypatch.setattr(stacks, 'run_demo', demo)
    monkeypatch.setattr(stacks, 'find_latest_checkpoint', lambda _: 'x.pth')
    monkeypatch.setattr(stacks, 'export_onnx', export)
    monkeypatch.setattr(stacks, 'prepare_testing', lambda *_, **__: None)
    monkeypatch.setattr(stacks, 'build_runner', lambda cfg: Runner())
    result = stacks.run_stack(['cls', 'seg'], allocator='tuned')
    assert [len(record['tasks']) for record in saved] == [1, 2]
    # In the table's order of tasks.
    seg_record, cls_record = saved[-1]['tasks']
    assert cls_record['trained']['metrics'] == {'accuracy/top1': 0.75}
    assert cls_record['onnx_metrics'] == {'accuracy/top1': 0.745}
    assert stacks.task_passed(cls_record)
    assert seg_record['exported'] is None
    assert seg_record['error'] == 'RuntimeError: the graph cannot be traced'
    assert not stacks.task_passed(seg_record)
    assert result['stack'] == stack_name()
    # A run of one task keeps the other's record of the same versions.
    stacks.run_stack(['cls'], allocator='tuned')
    assert [record['task'] for record in saved[-1]['tasks']] == ['seg', 'cls']
    assert saved[-1]['tasks'][0] == seg_record


def test_a_config_whose_library_does_not_import_says_what_to_install(
        monkeypatch):
    """As on the OneDL stack, where MMPose does not import: loading a
    config of the task is one error naming the library and what to
    install (the tools turn it into their one line)."""
    import sys

    from mmmoga.apis import load_config
    monkeypatch.setitem(sys.modules, 'mmpose', None)  # import fails
    with pytest.raises(ConfigCheckError,
                       match=r'^pose configs need MMPose \(mmpose\), which '
                       r'does not import here \(.*\)\. Pose runs on the '
                       r'default stack only .*: make install'):
        load_config('configs/pose/toy/topdown_heatmap_moga_xt_toy.py')
    load_config('configs/cls/toy/moganet_xt_toy.py')
