import pytest
import torch

from helpers import GOLDEN_PATH, missing_task_libraries


def pytest_addoption(parser):
    parser.addoption(
        '--docs-slow', action='store_true',
        help='also run the slow shell blocks of README.md and docs/ '
        '(tests/test_docs.py; make test-docs)')


def pytest_collection_modifyitems(config, items):
    """The docs' slow blocks (tens of minutes of training) are left out of
    a run unless --docs-slow asks for them; on a stack where a task's
    library does not import (pose on the OneDL stack: docs/installation.md),
    the tests that name that task, or carry its marker, are left out, and
    the run says so."""
    left_out = []
    if not config.getoption('--docs-slow'):
        left_out += [item for item in items if 'docs_slow' in item.keywords]
    for task, reason in missing_task_libraries().items():
        named = [item for item in items
                 if (task in item.nodeid.lower() or
                     item.get_closest_marker(task)) and item not in left_out]
        if named:
            left_out += named
            config.issue_config_time_warning(pytest.PytestWarning(
                f'{len(named)} tests naming {task!r} left out: {reason}'),
                stacklevel=2)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


@pytest.fixture(scope='session')
def golden():
    """Outputs of the official MogaNet (see
    tests/data/moganet_reference.md)."""
    return torch.load(GOLDEN_PATH, weights_only=True)


@pytest.fixture
def restore_default_scope():
    """The task libraries' init functions switch mmengine's default registry
    scope; later tests build 'LN2d' and others in the scope they found
    (mmpretrain's scope has its own 'LN2d'). Tests that switch it use this
    fixture to switch it back."""
    from mmengine.registry import DefaultScope, init_default_scope
    current = DefaultScope.get_current_instance()
    scope = current.scope_name if current is not None else 'mmengine'
    yield
    init_default_scope(scope)


@pytest.fixture(scope='session')
def toy_data(tmp_path_factory):
    """``toy_data(task)``: the root of ``task``'s tiny toy data set
    (tests/toy_tasks.py), written once per session."""
    from toy_tasks import TOY_TASKS
    roots = {}

    def root_of(task):
        if task not in roots:
            toy = TOY_TASKS[task]
            root = str(tmp_path_factory.mktemp(f'toy_{task}'))
            toy.write_data(root, num_train=toy.num_train,
                           num_val=toy.num_val, seed=3)
            roots[task] = root
        return roots[task]

    return root_of


@pytest.fixture(scope='session')
def trained_toy(toy_data, tmp_path_factory):
    """``trained_toy(task)``: (work dir, log) of the short ``tools/train.py``
    run of ``task``'s toy config on ``toy_data(task)``, run once per
    session."""
    import sys

    from helpers import run_tool
    from toy_tasks import TOY_TASKS, short_run_options
    runs = {}

    def run_of(task):
        if task not in runs:
            work_dir = str(tmp_path_factory.mktemp(f'{task}_work_dir'))
            result = run_tool(sys.executable, 'tools/train.py',
                              TOY_TASKS[task].config, '--work-dir', work_dir,
                              *short_run_options(task, toy_data(task)))
            assert result.returncode == 0, result.stderr[-4000:]
            runs[task] = work_dir, result.stdout + result.stderr
        return runs[task]

    return run_of


@pytest.fixture(scope='module')
def task_toy_data(request, toy_data):
    """``toy_data`` of the task the test module names in ``TASK``."""
    return toy_data(request.module.TASK)


@pytest.fixture(scope='module')
def task_trained_toy(request, trained_toy):
    """``trained_toy`` of the task the test module names in ``TASK``: (work
    dir, log) of its short training run."""
    return trained_toy(request.module.TASK)


@pytest.fixture(scope='session')
def exported_toy(trained_toy, tmp_path_factory):
    """``exported_toy(task)``: what ``tools/export_onnx.py``'s code wrote for
    the short-trained toy model of ``task`` (``trained_toy``), exported once
    per session (the export tests and the quantization tests share it)."""
    import os.path as osp

    from mmengine.registry import DefaultScope, init_default_scope

    from mmmoga.apis import export_onnx, load_config
    from toy_tasks import TOY_TASKS
    exports = {}

    def exported_of(task):
        if task not in exports:
            toy = TOY_TASKS[task]
            work_dir, _ = trained_toy(task)
            path = str(tmp_path_factory.mktemp(f'{task}_export') /
                       'float32.onnx')
            current = DefaultScope.get_current_instance()
            try:
                exports[task] = export_onnx(
                    load_config(toy.config),
                    osp.join(work_dir, toy.checkpoint), path)
            finally:
                init_default_scope(current.scope_name if current is not None
                                   else 'mmengine')
        return exports[task]

    return exported_of
