"""Logs that lead with the result: the tools print progress within about 30
lines, keep the environment and config for the log file (and --verbose),
log no line per parameter, print no warning that says nothing, and draw
pictures a person can read; the warnings ``import mmmoga`` silences are
the known-harmless ones."""
import glob
import os.path as osp
import re
import subprocess
import sys

import mmcv
import pytest
from mmengine.logging import MMLogger

from helpers import REPO, missing_task_libraries, run_tool
from mmmoga.engine import quiet_logger
from mmmoga.utils.harmless_warnings import HARMLESS_WARNINGS, is_harmless
from mmmoga.visualization.readable import MIN_SHORT_SIDE
from toy_tasks import TOY_TASKS, short_run_options

# What MMEngine's loops log as they go.
PROGRESS = re.compile(r'(Epoch|Iter)\((train|val|test)\) +\[')
# The most lines a tool prints before its first progress line.
MAX_LINES_BEFORE_PROGRESS = 30


def lines_before_progress(output: str) -> int:
    lines = output.splitlines()
    for index, line in enumerate(lines):
        if PROGRESS.search(line):
            return index
    raise AssertionError(f'no progress line in:\n{output[-3000:]}')


def test_the_console_leaves_out_the_run_description_the_file_keeps_it(
        tmp_path, capsys):
    log_file = str(tmp_path / 'run.log')
    logger = MMLogger.get_instance('quiet_logger_test', log_file=log_file)
    quiet_logger(logger)
    quiet_logger(logger)  # twice changes nothing
    logger.info('\n' + '-' * 60 + '\nSystem environment:\n    Python: 3')
    logger.info('Config:\nmodel = dict()')
    logger.info('paramwise_options -- backbone.stem.weight:decay_mult=0.0')
    logger.warning('The prefix is not set in metric class IoUMetric.')
    logger.info('Epoch(test) [1/1]  mIoU: 50.0')
    for handler in logger.handlers:
        handler.flush()
    console = capsys.readouterr().out
    with open(log_file) as f:
        kept = f.read()
    assert 'Epoch(test)' in console and 'Epoch(test)' in kept
    assert 'System environment' not in console
    assert 'System environment' in kept and 'Config:' in kept
    assert 'Config:' not in console
    assert 'paramwise_options' not in console + kept
    assert 'prefix is not set' not in console + kept
    assert console.count('mIoU') == 1


def test_verbose_keeps_every_line_on_the_console(tmp_path, capsys):
    logger = MMLogger.get_instance('verbose_logger_test',
                                   log_file=str(tmp_path / 'run.log'))
    quiet_logger(logger, verbose=True)
    logger.info('Config:\nmodel = dict()')
    logger.info('paramwise_options -- backbone.stem.weight:decay_mult=0.0')
    console = capsys.readouterr().out
    assert 'Config:' in console and 'paramwise_options' in console


def test_import_prints_no_warning():
    """The pkg_resources warnings come from mmengine's import, before any
    tool runs (the tests' tool server imported mmmoga already, so a tool
    run cannot show them)."""
    from mmmoga.tasks import TASKS
    libraries = [f'{task.scope}.apis' for name, task in TASKS.items()
                 if name not in missing_task_libraries()]
    result = subprocess.run(
        [sys.executable, '-c',
         'import mmmoga, mmmoga.apis, ' + ', '.join(libraries)],
        cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'Warning' not in result.stderr, result.stderr[-3000:]


@pytest.mark.parametrize('message', [
    'pkg_resources is deprecated as an API. See https://setuptools.pypa.io',
    'The metainfo config file "configs/_base_/datasets/coco.py" does not '
    'exist. A matched config file "/x/mmpose/.mim/configs/_base_/datasets/'
    'coco.py" will be used instead.',
    "Failed to add <class 'mmengine.visualization.vis_backend."
    "LocalVisBackend'>, please provide the `save_dir` argument.",
])
def test_the_harmless_warnings_match_their_messages(message):
    assert is_harmless(message)


def test_other_warnings_still_show():
    assert not is_harmless('`torch.load` with weights_only=False')
    assert not is_harmless('The draw is True')
    assert all(harmless.why for harmless in HARMLESS_WARNINGS)


@pytest.mark.slow
def test_training_leads_with_progress(trained_toy):
    _, log = trained_toy('det')
    assert lines_before_progress(log) <= MAX_LINES_BEFORE_PROGRESS, log[:4000]
    assert 'paramwise_options' not in log
    assert 'System environment' not in log
    assert 'Warning' not in log, log[-4000:]


@pytest.mark.slow
def test_testing_leads_with_progress_and_draws_captioned_pictures(
        trained_toy, toy_data, tmp_path):
    work_dir, _ = trained_toy('det')
    result = run_tool(sys.executable, 'tools/test.py', TOY_TASKS['det'].config,
                      osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                      str(tmp_path), '--show-dir', 'drawn',
                      *short_run_options('det', toy_data('det')))
    assert result.returncode == 0, result.stderr[-4000:]
    before = lines_before_progress(result.stdout)
    assert before <= MAX_LINES_BEFORE_PROGRESS, result.stdout[:4000]
    assert 'Warning' not in result.stdout + result.stderr, result.stderr
    # The metrics come last, then where the pictures are.
    last = result.stdout.strip().splitlines()
    assert 'coco/segm_mAP' in last[-2]
    (drawn_dir, ) = glob.glob(str(tmp_path / '*' / 'drawn'))
    assert last[-1] == f'drawn predictions are in {drawn_dir}'
    # The run is described in the log file instead.
    (log_file, ) = glob.glob(str(tmp_path / '*' / '*.log'))
    with open(log_file) as f:
        logged = f.read()
    assert 'System environment' in logged and 'Config:' in logged
    for path in glob.glob(osp.join(drawn_dir, '*.jpg')):
        picture = mmcv.imread(path)
        height, width = picture.shape[:2]
        assert height > MIN_SHORT_SIDE and width >= 2 * MIN_SHORT_SIDE
        # A white band with a caption above each half.
        band = picture[:20]
        assert (band > 200).mean() > 0.8
        for half in (band[:, :width // 2], band[:, width // 2:]):
            assert (half.max(axis=2) < 100).any()


@pytest.mark.slow
def test_verbose_prints_the_environment_and_config(trained_toy, toy_data,
                                                   tmp_path):
    work_dir, _ = trained_toy('cls')
    result = run_tool(sys.executable, 'tools/test.py', TOY_TASKS['cls'].config,
                      osp.join(work_dir, 'epoch_1.pth'), '--work-dir',
                      str(tmp_path), '--verbose',
                      *short_run_options('cls', toy_data('cls')))
    assert result.returncode == 0, result.stderr[-4000:]
    assert 'System environment' in result.stdout
    assert 'Config:' in result.stdout
    assert lines_before_progress(result.stdout) > MAX_LINES_BEFORE_PROGRESS


def test_progress_bars_count_and_estimate(capsys):
    from mmmoga.utils import step, tracked
    assert list(tracked(range(3), 'counting')) == [0, 1, 2]
    with step('tracing'):
        pass
    out = capsys.readouterr().out
    assert re.search(r'counting .* 3/3 elapsed 0:00:0\d left', out), out
    assert re.search(r'tracing: done in \d+\.\d s', out), out
