"""The runner policy of every tool: how a config becomes a Runner (and a
model) with mmmoga's reliability measures in place."""
import copy
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.dist import master_only
from mmengine.hooks import CheckpointHook
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import MODELS, RUNNERS, init_default_scope
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop, Runner
from torch import nn

from mmmoga.errors import ConfigCheckError

from .distributed import prepare_distributed
from .tool_logging import QuietRunnerLogging


def build_runner(cfg: Config, verbose: bool = False) -> Runner:
    """The Runner of ``cfg`` (or its ``runner_type``), after preparing a
    CPU-only distributed launch if there is one. mmengine's
    ``CheckpointHook`` is replaced by ``AtomicCheckpointHook`` (same
    arguments), whose checkpoints survive a kill while saving, and
    ``NonFiniteLossHook`` stops training at a NaN or infinite loss; every
    data loader's dataset is wrapped in ``CheckedDataset`` (bad samples
    skipped and counted in training, up to the config's
    ``max_bad_sample_fraction``, default 0.01; an error in testing); and
    training resumes exactly where a killed run stopped
    (:func:`make_training_resumable`). These changes go into a copy: the
    caller's ``cfg`` stays as it was (the demos read its datasets
    afterwards), and it is the config the runner writes into the work dir
    (:class:`DumpsCallersConfig`). Its console leads with progress and results
    (:mod:`mmmoga.engine.tool_logging`); ``verbose`` shows the environment,
    the config and the per-parameter optimizer settings too."""
    cfg = copy.deepcopy(cfg)
    prepare_distributed(cfg)
    callers_cfg = copy.deepcopy(cfg)
    checkpoint_hook = cfg.get('default_hooks', {}).get('checkpoint')
    if checkpoint_hook is not None and checkpoint_hook.get('type') in (
            'CheckpointHook', CheckpointHook):
        checkpoint_hook['type'] = 'AtomicCheckpointHook'
    # Bad samples are skipped and counted in training, an error in testing.
    max_bad_fraction = cfg.get('max_bad_sample_fraction', 0.01)
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        dataset_type = (loader or {}).get('dataset', {}).get('type')
        if loader and dataset_type != 'CheckedDataset':
            loader.dataset = dict(type='CheckedDataset',
                                  dataset=loader.dataset,
                                  skip_bad_samples=split == 'train',
                                  max_bad_fraction=max_bad_fraction)
    add_custom_hook(cfg, 'NonFiniteLossHook')
    make_training_resumable(cfg)

    runner_type = cfg.get('runner_type', Runner)
    if isinstance(runner_type, str):
        with RUNNERS.switch_scope_and_registry(
                cfg.get('default_scope')) as registry:
            runner_class = registry.get(runner_type)
        if runner_class is None:
            raise ConfigCheckError(
                f'runner_type={runner_type!r} is not a registered runner '
                f'(scope {cfg.get("default_scope")!r})')
        runner_type = runner_class
    # The logger is built inside Runner.__init__, which logs the
    # environment right after: a subclass is the one place to filter it.
    quiet_runner = type(runner_type.__name__,
                        (QuietRunnerLogging, DumpsCallersConfig, runner_type),
                        dict(verbose=verbose, callers_cfg=callers_cfg))
    return quiet_runner.from_cfg(cfg)


class DumpsCallersConfig:
    """Mixed into the Runner class the tools build: the config written into
    the work dir is the caller's (``callers_cfg``, set on the class), not
    the one :func:`build_runner` changed. Users hand that file to the
    libraries' inferencers and tools, which read
    ``test_dataloader.dataset.pipeline`` and cannot see through the
    ``CheckedDataset`` wrapper; :func:`build_runner` adds its changes again
    whenever the file is run."""
    callers_cfg: Optional[Config] = None

    @master_only
    def dump_config(self):
        if self.callers_cfg is None:
            return super().dump_config()
        # mmengine's file name: the config's own, or the run's timestamp.
        filename = (osp.basename(self.cfg.filename) if self.cfg.filename
                    else f'{self.timestamp}.py')
        self.callers_cfg.dump(osp.join(self.work_dir, filename))


def add_custom_hook(cfg: Config, hook_type: str,
                    args: Optional[dict] = None):
    """Adds a hook of ``hook_type`` built with ``args`` to
    ``cfg.custom_hooks`` unless the config has one."""
    custom_hooks = list(cfg.get('custom_hooks', []))
    if not any(hook.get('type') == hook_type for hook in custom_hooks):
        cfg.custom_hooks = custom_hooks + [dict(type=hook_type,
                                                **(args or {}))]


# mmengine's training loops and the resumable ones that replace them.
RESUMABLE_LOOPS = {
    EpochBasedTrainLoop: 'ResumableEpochBasedTrainLoop',
    IterBasedTrainLoop: 'ResumableIterBasedTrainLoop',
}


def make_training_resumable(cfg: Config):
    """Sets ``cfg`` up so that training resumed from a checkpoint continues
    as the run that saved it would have (:mod:`mmmoga.engine.
    resumable_training`): mmengine's epoch- and iteration-based training
    loops become the resumable ones (same arguments), the training data
    loader's batches come from ``ResumableBatchSampler`` (around the
    config's own batch sampler, if any), and ``ResumeStateHook`` stores the
    random states in every checkpoint. A config with another loop type
    keeps it (its resume is mmengine's)."""
    train_cfg = cfg.get('train_cfg')
    loader = cfg.get('train_dataloader')
    if not train_cfg or not loader:
        return
    loop_type = train_cfg.get('type')
    if loop_type is None:  # mmengine picks the loop by `by_epoch`
        by_epoch = train_cfg.pop('by_epoch', True)
        loop_type = EpochBasedTrainLoop if by_epoch else IterBasedTrainLoop
    for loop_class, resumable in RESUMABLE_LOOPS.items():
        if loop_type in (loop_class, loop_class.__name__):
            train_cfg['type'] = resumable
    if (loader.get('batch_sampler') or {}).get('type') != \
            'ResumableBatchSampler':
        # torch refuses `drop_last` next to a batch sampler; the default
        # batch sampler takes it instead.
        loader.batch_sampler = dict(
            type='ResumableBatchSampler',
            batch_sampler=loader.get('batch_sampler'),
            drop_last=loader.pop('drop_last', False))
    add_custom_hook(cfg, 'ResumeStateHook')


def build_config_model(cfg: Config) -> nn.Module:
    """The model of ``cfg``, built as a single-process Runner builds it: in
    the config's registry scope, with the top-level data_preprocessor where
    the model names none, SyncBN reverted to BN (same tensors, no process
    group needed). Builds only: no ``init_weights``, nothing loaded."""
    model_cfg = cfg.model.copy()
    if cfg.get('data_preprocessor'):
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    return revert_sync_batchnorm(MODELS.build(model_cfg))
