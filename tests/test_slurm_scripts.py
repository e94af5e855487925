"""tools/slurm_train.sh and slurm_test.sh: the srun command line they build
and the mistakes they stop at, with srun replaced by a stub that records its
arguments (no cluster here)."""
import os
import os.path as osp
import subprocess

import pytest

from helpers import REPO

CONFIG = 'configs/cls/toy/moganet_xt_toy.py'


@pytest.fixture
def srun(tmp_path):
    """Runs a launch script with a stub ``srun`` first on PATH; returns
    (completed process, the stub's arguments or None if it did not run)."""
    stub_dir = tmp_path / 'bin'
    stub_dir.mkdir()
    log = tmp_path / 'srun_args'
    stub = stub_dir / 'srun'
    stub.write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$SRUN_LOG"\n')
    stub.chmod(0o755)

    def run(*args, **env):
        environment = {key: value for key, value in os.environ.items()
                       if key not in ('GPUS', 'GPUS_PER_NODE',
                                      'CPUS_PER_TASK', 'SRUN_ARGS')}
        environment.update(env, SRUN_LOG=str(log), PYTHON='python3',
                           PATH=f'{stub_dir}:{os.environ["PATH"]}')
        result = subprocess.run(['bash', *args], cwd=REPO, env=environment,
                                capture_output=True, text=True)
        recorded = log.read_text().splitlines() if log.exists() else None
        return result, recorded

    return run


def test_train_builds_the_srun_command(srun):
    result, args = srun('tools/slurm_train.sh', 'gpu', 'moga_s', CONFIG,
                        'work_dirs/x', '--cfg-options', 'a=1', GPUS='16',
                        SRUN_ARGS='--time=2:00:00 --qos=high')
    assert result.returncode == 0, result.stderr
    assert args == [
        '-p', 'gpu', '--job-name=moga_s', '--gres=gpu:8', '--ntasks=16',
        '--ntasks-per-node=8', '--cpus-per-task=5', '--kill-on-bad-exit=1',
        '--time=2:00:00', '--qos=high', 'python3', '-u',
        osp.join(REPO, 'tools', 'train.py'), CONFIG, '--work-dir',
        'work_dirs/x', '--cfg-options', 'a=1', '--launcher', 'slurm']


def test_test_passes_the_checkpoint_and_fits_small_jobs(srun, tmp_path):
    checkpoint = tmp_path / 'epoch_1.pth'
    checkpoint.write_bytes(b'')
    result, args = srun('tools/slurm_test.sh', 'gpu', 'eval', CONFIG,
                        str(checkpoint), GPUS='2', CPUS_PER_TASK='4')
    assert result.returncode == 0, result.stderr
    # Fewer GPUS than 8: all of them on one node.
    assert args[3:7] == ['--gres=gpu:2', '--ntasks=2', '--ntasks-per-node=2',
                         '--cpus-per-task=4']
    assert args[-5:] == [osp.join(REPO, 'tools', 'test.py'), CONFIG,
                         str(checkpoint), '--launcher', 'slurm']


@pytest.mark.parametrize('args,env,error', [
    (('tools/slurm_train.sh', 'gpu', 'job', CONFIG), {},
     'error: PARTITION, JOB_NAME, CONFIG and WORK_DIR are needed'),
    (('tools/slurm_train.sh', 'gpu', 'job', 'nope.py', 'w'), {},
     'error: config file nope.py does not exist'),
    (('tools/slurm_train.sh', 'gpu', 'job', CONFIG, 'w'), dict(GPUS='0'),
     "error: GPUS must be a whole number of at least 1, got '0'"),
    (('tools/slurm_train.sh', 'gpu', 'job', CONFIG, 'w'),
     dict(GPUS_PER_NODE='eight'),
     "error: GPUS_PER_NODE must be a whole number of at least 1, got "
     "'eight'"),
    (('tools/slurm_test.sh', 'gpu', 'job', CONFIG, 'nope.pth'), {},
     'error: checkpoint nope.pth: does not exist'),
])
def test_mistakes_stop_before_srun(srun, args, env, error):
    result, recorded = srun(*args, **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == error
    assert recorded is None
