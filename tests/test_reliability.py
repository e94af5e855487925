"""Reliability of training runs: checkpoints that survive a kill while
saving, --resume that finds the newest whole one, a stop at the first
non-finite loss."""
import copy
import os
import os.path as osp
import signal
import sys
from collections import deque

import pytest
import torch
from mmengine.fileio import get_file_backend
from mmengine.logging import MessageHub

from helpers import (
    REPO,
    corrupt_copy,
    run_tools,
    tool_error,
    toy_run_options,
)
from mmmoga.checkpoint import checkpoint_problem, find_resumable_checkpoint
from mmmoga.engine import AtomicCheckpointHook, atomic_write
from mmmoga.toy_data import write_toy_ade, write_toy_cls, write_toy_coco

# Runs the tools end to end (training included).
pytestmark = pytest.mark.slow

TOY_CONFIG = 'configs/cls/toy/moganet_xt_toy.py'


class Killed(Exception):
    """Stands for the process dying at that point."""


def test_atomic_write_keeps_the_old_file_when_killed(tmp_path, monkeypatch):
    path = tmp_path / 'epoch_1.pth'
    atomic_write(b'old content', str(path))

    def die(descriptor):
        raise Killed

    monkeypatch.setattr(os, 'fsync', die)  # dies after writing, before rename
    with pytest.raises(Killed):
        atomic_write(b'new content, half written', str(path))
    assert path.read_bytes() == b'old content'
    assert os.listdir(tmp_path) == ['epoch_1.pth']  # no temporary left
    monkeypatch.undo()
    atomic_write('new', str(path))
    assert path.read_text() == 'new'


class StubRunner:
    """What CheckpointHook uses of a Runner; ``save_checkpoint`` writes a
    real checkpoint through the hook's backend, or dies half-way."""

    def __init__(self, work_dir, die=False):
        self.work_dir = str(work_dir)
        self.message_hub = MessageHub.get_instance(f'stub-{id(self)}')
        self.die = die

    def save_checkpoint(self, out_dir, filename, file_client_args, **kwargs):
        if self.die:
            # The old backend would have truncated the target by now.
            raise Killed
        from mmengine.runner.checkpoint import save_checkpoint
        save_checkpoint(dict(state_dict={'w': torch.ones(2)}),
                        osp.join(out_dir, filename),
                        backend_args=kwargs['backend_args'])


def make_hook(work_dir):
    hook = AtomicCheckpointHook(interval=1, max_keep_ckpts=1)
    hook.out_dir = str(work_dir)
    hook.file_backend = get_file_backend(hook.out_dir,
                                         backend_args=hook.backend_args)
    hook.keep_ckpt_ids = deque([], 1)
    return hook


def test_hook_deletes_the_old_checkpoint_only_after_saving(tmp_path):
    hook = make_hook(tmp_path)
    hook._save_checkpoint_with_step(StubRunner(tmp_path), 1, {})
    first = tmp_path / 'epoch_1.pth'
    assert checkpoint_problem(str(first)) is None
    assert (tmp_path / 'last_checkpoint').read_text() == str(first)

    # Killed while saving epoch 2: mmengine's hook deletes epoch_1 first and
    # would leave nothing to resume from (max_keep_ckpts=1).
    with pytest.raises(Killed):
        hook._save_checkpoint_with_step(StubRunner(tmp_path, die=True), 2, {})
    assert checkpoint_problem(str(first)) is None
    assert (tmp_path / 'last_checkpoint').read_text() == str(first)

    hook.keep_ckpt_ids = deque([1], 1)
    runner = StubRunner(tmp_path)
    hook._save_checkpoint_with_step(runner, 2, {})
    assert sorted(os.listdir(tmp_path)) == ['epoch_2.pth', 'last_checkpoint']
    assert runner.message_hub.get_info('keep_ckpt_ids') == [2]


@pytest.mark.parametrize('damage,reason', [
    (lambda p: os.truncate(p, 5000), 'not a complete checkpoint'),
    (lambda p: os.truncate(p, 0), 'empty file'),
])
def test_checkpoint_problem(tmp_path, damage, reason):
    path = str(tmp_path / 'iter_3.pth')
    torch.save(dict(state_dict={'w': torch.randn(5000)}), path)
    assert checkpoint_problem(path) is None
    damage(path)
    assert reason in checkpoint_problem(path)


def test_find_resumable_checkpoint_orders_by_step(tmp_path):
    for step in (2, 10, 9):
        torch.save({'step': step}, tmp_path / f'iter_{step}.pth')
    os.truncate(tmp_path / 'iter_10.pth', 100)
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_10.pth'))
    path, skipped = find_resumable_checkpoint(str(tmp_path))
    assert path == str(tmp_path / 'iter_9.pth')
    assert [p for p, _ in skipped] == [str(tmp_path / 'iter_10.pth')]


@pytest.fixture(scope='module')
def toy_cls(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toy_cls'))
    write_toy_cls(root, num_train=8, num_val=4, seed=5)
    return root


def train(root, work_dir, epochs, *extra):
    """The command line of a toy classifier run of ``epochs`` epochs."""
    return [sys.executable, 'tools/train.py', TOY_CONFIG, '--work-dir',
            str(work_dir), *extra, *toy_run_options(
                root, f'train_cfg.max_epochs={epochs}',
                f'train_cfg.val_interval={epochs}',
                'default_hooks.checkpoint.interval=1',
                'default_hooks.checkpoint.max_keep_ckpts=2',
                'train_dataloader.batch_size=4')]


def test_resume_skips_a_truncated_checkpoint(toy_cls, tmp_path):
    """A kill while saving epoch 2 (the file truncated, last_checkpoint
    pointing at it): --resume names it, resumes from epoch 1 and finishes.
    Then every checkpoint damaged, and an explicit damaged one: one error
    each (the damage done by ``truncate``, which with -c creates no
    file)."""
    # (epoch 1 drops out of max_keep_ckpts=2 once epoch 3 is saved, and
    # only then: epoch_2.pth is rewritten by the resumed run.)
    kept = [str(tmp_path / 'epoch_2.pth'), str(tmp_path / 'epoch_3.pth')]
    first, _, resumed, _, none_left, explicit = run_tools([
        train(toy_cls, tmp_path, 2),
        ['truncate', '-c', '-s', '5000', kept[0]],
        train(toy_cls, tmp_path, 3, '--resume'),
        ['truncate', '-c', '-s', '0', *kept],
        train(toy_cls, tmp_path, 4, '--resume'),
        train(toy_cls, tmp_path, 4, '--resume', kept[1]),
    ])
    assert first.returncode == 0, first.stderr[-3000:]
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    output = resumed.stdout + resumed.stderr
    assert (f'warning: --resume: skipping {tmp_path}/epoch_2.pth: not a '
            'complete checkpoint') in output
    assert f'resuming from {tmp_path}/epoch_1.pth' in output
    assert 'resumed epoch: 1' in output
    assert sorted(str(path) for path in tmp_path.glob('*.pth')) == kept

    # Every checkpoint damaged: one error, nothing trained.
    assert tool_error(none_left) == (
        f'error: --resume: no checkpoint in {tmp_path} can be resumed from '
        '(all 2 are damaged, see the warnings above)')
    # An explicit damaged file is one error naming it.
    assert tool_error(explicit) == (
        f'error: --resume {tmp_path}/epoch_3.pth: cannot resume from it: '
        'empty file (0 bytes)')


@pytest.fixture(scope='module')
def refused_runs(toy_cls, tmp_path_factory):
    """The runs of the tests below: label -> (result, its work dir, the
    bad image if any)."""
    from helpers import build_from_config
    folder = tmp_path_factory.mktemp('refused')
    train_root, bad_train = corrupt_copy(toy_cls, folder / 'train', 'train')
    val_root, bad_val = corrupt_copy(toy_cls, folder / 'val', 'val',
                                     index=2)
    checkpoint = folder / 'plain.pth'
    _, model = build_from_config(TOY_CONFIG)
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    runs = {
        'nan loss': (train(toy_cls, folder / 'nan', 2, '--cfg-options',
                           'model.head.loss.loss_weight=nan'),
                     folder / 'nan', None),
        'deploy': (train(toy_cls, folder / 'deploy', 1, '--cfg-options',
                         'model.backbone.deploy=True'), None, None),
        'bad image allowed': (
            train(train_root, folder / 'run', 1, '--cfg-options',
                  'max_bad_sample_fraction=0.2'), None, bad_train),
        # The default 1% of 8 samples allows none.
        'bad image': (train(train_root, folder / 'run2', 1), None,
                      bad_train),
        'bad test image': (
            [sys.executable, 'tools/test.py', TOY_CONFIG, str(checkpoint),
             '--work-dir', str(folder / 'test'), *toy_run_options(val_root)],
            None, bad_val),
    }
    results = run_tools([command for command, _, _ in runs.values()])
    return {label: (result, work_dir, bad) for (label, (_, work_dir, bad)),
            result in zip(runs.items(), results)}


def test_non_finite_loss_stops_training_naming_the_term(refused_runs):
    result, work_dir, _ = refused_runs['nan loss']
    assert tool_error(result) == (
        'error: non-finite loss at iteration 1 (epoch 1): loss=nan; '
        'training stopped before anything was saved from this iteration')
    assert not [n for n in os.listdir(work_dir) if n.endswith('.pth')]


def test_training_a_deployed_model_is_refused(refused_runs):
    result, _, _ = refused_runs['deploy']
    assert tool_error(result) == (
        'error: model.backbone has deploy=True: deploy mode folds the norms '
        'and scales for inference and cannot be trained; train with '
        'deploy=False')


def test_bad_image_in_training_is_skipped_and_counted(refused_runs):
    result, _, bad = refused_runs['bad image allowed']
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert output.count(f'skipping bad sample {bad}: failed to load image') \
        == 1
    result, _, bad = refused_runs['bad image']
    assert tool_error(result) == (
        'error: 1 of 8 training samples are bad, more than '
        f'max_bad_fraction=0.01 allows ({bad}: failed to load image: '
        f'{bad})')


def test_bad_image_in_testing_is_an_error_naming_it(refused_runs):
    result, _, bad = refused_runs['bad test image']
    assert tool_error(result) == (
        f'error: bad sample {bad}: failed to load image: {bad}')


# A toy run of each loop type: detection trains by epoch (3 batches of 2 per
# epoch), segmentation by iteration. Drop path and the random flips and
# crops make every step depend on the random states; the data are loaded by
# a persistent worker, whose own random state a resumed run cannot have.
RESUME_RUNS = {
    'det': ('configs/det/toy/mask_rcnn_moga_xt_toy.py', write_toy_coco,
            lambda root: [
                'train_cfg.max_epochs=2', 'train_cfg.val_interval=1',
                'train_dataloader.dataset.pipeline.2.scale=(160,160)',
                'val_dataloader.dataset.pipeline.1.scale=(160,160)',
                f'val_evaluator.ann_file={root}/annotations/'
                'instances_val.json'
            ]),
    'seg': ('configs/seg/toy/fpn_moga_xt_toy.py', write_toy_ade,
            lambda root: ['train_cfg.max_iters=6',
                          'train_cfg.val_interval=3']),
}


@pytest.mark.parametrize('task', sorted(RESUME_RUNS))
def test_killed_run_resumes_bit_identically(task, tmp_path):
    """Killed with SIGKILL as iteration 4 starts (mid-epoch 2 for
    detection), resumed from the iteration-2 checkpoint (mid-epoch 1): the
    weights after iteration 6 equal an uninterrupted run's bit for bit."""
    config, write_data, options = RESUME_RUNS[task]
    root = str(tmp_path / 'data')
    write_data(root, num_train=6, num_val=2, seed=4)

    common = [*options(root), 'train_dataloader.batch_size=2',
              'train_dataloader.num_workers=1',
              'train_dataloader.persistent_workers=True',
              'model.backbone.drop_path_rate=0.2', 'randomness.seed=3',
              'randomness.deterministic=True',
              'default_hooks.checkpoint.by_epoch=False',
              'default_hooks.checkpoint.interval=2',
              'default_hooks.checkpoint.max_keep_ckpts=-1']

    # The same config, with a hook that kills the run.
    killer = tmp_path / 'killer.py'
    killer.write_text(
        f'_base_ = [{osp.join(REPO, config)!r}]\n'
        "custom_imports = dict(imports=['mmmoga', 'kill_hook'])\n"
        "custom_hooks = [dict(type='KillAtIteration', iteration=3)]\n")

    def train_toy(work_dir, config_file=config, resume=False):
        return [sys.executable, 'tools/train.py', str(config_file),
                '--work-dir', str(tmp_path / work_dir),
                *(['--resume'] if resume else []),
                *toy_run_options(root, *common)]

    # Each run has a process group of its own (run_tool), which the killer
    # kills.
    whole, killed, result = run_tools(
        [train_toy('whole'), train_toy('killed', killer),
         train_toy('killed', resume=True)],
        env=dict(PYTHONPATH=osp.join(REPO, 'tests')))
    assert whole.returncode == 0, whole.stderr[-3000:]
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    saved = killed.stdout + killed.stderr
    assert 'Saving checkpoint at 2 iterations' in saved
    assert 'Saving checkpoint at 4 iterations' not in saved
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout + result.stderr
    assert 'resumed epoch: 0, iter: 2' in output
    assert ('resuming epoch 1 after its batch 2' if task == 'det' else
            'resuming after iteration 2: 2 batches skipped') in output

    whole = torch.load(tmp_path / 'whole' / 'iter_6.pth', map_location='cpu')
    resumed = torch.load(tmp_path / 'killed' / 'iter_6.pth',
                         map_location='cpu')
    assert whole['state_dict'].keys() == resumed['state_dict'].keys()
    different = [name for name, value in whole['state_dict'].items()
                 if not torch.equal(value, resumed['state_dict'][name])]
    assert not different, f'{len(different)} tensors differ: {different[:5]}'


@pytest.mark.usefixtures('restore_default_scope')
def test_build_runner_leaves_the_callers_config_alone(toy_cls, tmp_path):
    """The wrappers and swaps go into the runner's copy: the demos read the
    datasets of their config after training."""
    from mmengine.config import Config

    from mmmoga.engine import build_runner
    cfg = Config.fromfile(osp.join(REPO, TOY_CONFIG))
    cfg.work_dir = str(tmp_path)
    before = copy.deepcopy(cfg.to_dict())
    runner = build_runner(cfg)
    assert cfg.to_dict() == before
    assert runner.cfg.train_dataloader.dataset.type == 'CheckedDataset'
    assert runner.cfg.train_cfg.type == 'ResumableEpochBasedTrainLoop'
