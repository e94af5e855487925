"""A config set up for training (``tools/train.py`` and the demos)."""
import os.path as osp
import re
from typing import Optional

import torch
from mmengine.config import Config

from mmmoga.checkpoint import (
    check_against_model,
    checkpoint_problem,
    fetch_weights,
    find_resumable_checkpoint,
    is_remote,
    load_checkpoint_file,
)
from mmmoga.engine import add_custom_hook, cpu_has_bfloat16
from mmmoga.errors import CheckpointLayoutError, ConfigCheckError
from mmmoga.models import MogaNet, moganet_configs

from .config_checks import check_config, checkpoint_candidates

# How a MogaNet initialises without pretrained weights (--no-pretrained):
# its own (official) random initialisation, as the toy configs train.
RANDOM_INIT = dict(type='FanOutNormal', layer='Conv2d')
# How to go on without a file that cannot be downloaded, per config key.
WITHOUT_WEIGHTS = {
    'model.backbone.init_cfg.checkpoint':
    'train the backbone from its random initialisation with --no-pretrained',
    'load_from': 'start without them: --cfg-options load_from=None',
    '--resume': 'resume from a local checkpoint',
}


def enable_amp(cfg: Config):
    """Mixed precision: on a GPU mmengine's ``AmpOptimWrapper`` (float16,
    dynamic loss scale); without one, bfloat16 autocast
    (``CpuAmpOptimWrapper``) where the CPU computes in bfloat16.

    Raises:
        ConfigCheckError: No GPU and no bfloat16 on the CPU, or the config's
            optim wrapper is another type.
    """
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    on_gpu = torch.cuda.is_available()
    if wrapper == ('AmpOptimWrapper' if on_gpu else 'CpuAmpOptimWrapper'):
        return
    if wrapper != 'OptimWrapper':
        raise ConfigCheckError('--amp needs optim_wrapper.type OptimWrapper, '
                               f'the config has {wrapper!r}')
    if on_gpu:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        return
    check_cpu_amp()
    cfg.optim_wrapper.type = 'CpuAmpOptimWrapper'


def check_cpu_amp():
    """Without a GPU, --amp computes in bfloat16 on the CPU, which needs
    AVX-512 BF16 or AMX; one error says so where the CPU lacks both."""
    if not torch.cuda.is_available() and not cpu_has_bfloat16():
        raise ConfigCheckError(
            '--amp: there is no GPU, and this CPU does not compute in '
            'bfloat16 (it has neither AVX-512 BF16 nor AMX); run without '
            '--amp (float32)')


def enable_auto_scale_lr(cfg: Config):
    """Scales the learning rate by the actual total batch size over the
    config's ``auto_scale_lr.base_batch_size``."""
    if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
        raise ConfigCheckError('--auto-scale-lr needs '
                               f'auto_scale_lr.base_batch_size in '
                               f'{cfg.filename}')
    cfg.auto_scale_lr.enable = True


def resume_checkpoint(resume: str, work_dir: str) -> Optional[str]:
    """The checkpoint ``--resume`` continues from, checked before anything
    is built. ``'auto'``: the newest whole checkpoint in the work dir
    (newer ones that are truncated or damaged are reported and skipped;
    None when there are none at all, so that training starts afresh)."""
    if resume != 'auto':
        problem = checkpoint_problem(resume)
        if problem is not None:
            raise ConfigCheckError(
                f'--resume {resume}: cannot resume from it: {problem}')
        return resume
    path, skipped = find_resumable_checkpoint(work_dir)
    for bad, problem in skipped:
        print(f'warning: --resume: skipping {bad}: {problem}', flush=True)
    if path is None and skipped:
        raise ConfigCheckError(
            f'--resume: no checkpoint in {work_dir} can be resumed from '
            f'(all {len(skipped)} are damaged, see the warnings above)')
    if path is not None and skipped:
        print(f'--resume: resuming from {path}, the newest whole checkpoint',
              flush=True)
    return path


def report_pretrained_fit(cfg: Config):
    """Says in one line what a MogaNet's ``init_cfg=dict(type='Pretrained',
    checkpoint=LOCAL_FILE, prefix=...)`` will leave unloaded: mmengine loads
    it non-strictly (fine-tuning from other weights is normal) and lists
    every key in its log."""
    for path, backbone in moganet_configs(cfg.model):
        init = backbone.get('init_cfg')
        if not (isinstance(init, dict) and init.get('type') == 'Pretrained'):
            continue
        checkpoint = init.get('checkpoint')
        if not isinstance(checkpoint, str) or '://' in checkpoint or \
                not osp.isfile(checkpoint):
            continue  # a URL: nothing local to compare
        state_dict = load_checkpoint_file(checkpoint)
        state_dict = state_dict.get('state_dict', state_dict)
        prefix = init.get('prefix')
        if prefix:
            # As mmengine's PretrainedInit selects the sub-module's weights.
            prefix = prefix if prefix.endswith('.') else prefix + '.'
            state_dict = {key[len(prefix):]: value
                          for key, value in state_dict.items()
                          if key.startswith(prefix)}
        state_dict = {re.sub(r'^module\.', '', key): value
                      for key, value in state_dict.items()}
        arguments = {key: value for key, value in backbone.items()
                     if key not in ('type', 'init_cfg', '_scope_')}
        expected = MogaNet(**arguments).state_dict()
        try:
            check_against_model(
                state_dict, expected, target=f'{path} ({cfg.filename})',
                listed=3, weights_name=f'the weights of {checkpoint}')
        except CheckpointLayoutError as error:
            print(f'warning: {path}.init_cfg: {error}; the backbone loads '
                  'the tensors that fit', flush=True)


def drop_pretrained_weights(cfg: Config):
    """Every MogaNet of ``cfg`` starts from its random initialisation
    instead of the pretrained weights its ``init_cfg`` names."""
    for path, backbone in moganet_configs(cfg.model):
        init = backbone.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            backbone['init_cfg'] = dict(RANDOM_INIT)
            print(f'{path}: random initialisation (--no-pretrained) instead '
                  f'of {init.get("checkpoint")}', flush=True)


def fetch_remote_weights(cfg: Config, resume: Optional[str] = None):
    """Downloads, before the runner is built, every checkpoint the run
    loads by URL into the cache mmengine reads it from (one line each); a
    file that cannot be had stops the run in one line that says where to
    put it by hand and how to go on without it, instead of a traceback from
    inside the model's initialisation."""
    for key, path in checkpoint_candidates(cfg, resume):
        if is_remote(path):
            fetch_weights(path, key, WITHOUT_WEIGHTS.get(key))


def prepare_training(cfg: Config, amp: bool = False,
                     auto_scale_lr: bool = False,
                     resume: Optional[str] = None,
                     no_pretrained: bool = False):
    """Sets ``cfg`` up for training and checks it. ``resume``: a checkpoint,
    ``'auto'`` for the newest in the work dir, or None; ``no_pretrained``:
    the backbone starts from its random initialisation. Weights named by a
    URL are downloaded now (:func:`fetch_remote_weights`)."""
    if no_pretrained:
        drop_pretrained_weights(cfg)
    if amp:
        enable_amp(cfg)
    if auto_scale_lr:
        enable_auto_scale_lr(cfg)
    if resume is not None:
        cfg.resume, cfg.load_from = True, resume_checkpoint(
            resume, cfg.work_dir)
    # load_from keeps mmengine's non-strict meaning (fine-tuning a new head
    # is normal); what does not fit is logged in one line.
    add_custom_hook(cfg, 'CheckpointFitHook', dict(strict=False))
    deployed = [path for path, backbone in moganet_configs(cfg.model)
                if backbone.get('deploy')]
    if deployed:
        raise ConfigCheckError(
            f'{", ".join(deployed)} has deploy=True: deploy mode folds the '
            'norms and scales for inference and cannot be trained; train '
            'with deploy=False')
    check_config(cfg, resume=resume, splits=('train', 'val'))
    fetch_remote_weights(cfg, resume)
    report_pretrained_fit(cfg)
