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
    assert versions.splitlines()[0].startswith('| stack | install | mmpose '
                                               '| onedl-mmcv | torch |')
    assert '| onedl | `make install STACK=onedl` | - | 2.3.6 | 2.13.0 |' in \
        versions
    cls_row, seg_row, pose_row = tasks.splitlines()[2:]
    assert cls_row == (
        '| onedl | cls (`tools/train_toy.py cls`) | yes | accuracy/top1 '
        '0.992 (targets >= 0.90: met) | yes | accuracy/top1 0.991 | 5.0 |')
    assert '(targets >= 0.90: MISSED) | failed: RuntimeError: export ' \
        'failed |' in seg_row
    # A refusal's own '|' would split the cell.
    assert 'not available: pose needs / MMPose' in pose_row
    assert not task_passed(result['tasks'][1])
