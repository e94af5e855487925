"""Trains a model from an mmmoga config: detection, segmentation, pose or
classification alike (the task and registry scope come from the config).

    python tools/train.py configs/det/mask_rcnn_moga_s.py
    bash tools/dist_train.sh configs/det/mask_rcnn_moga_s.py 8
"""
import argparse

from mmmoga.datasets import BadDataError, bad_data_message
from mmmoga.engine import (NonFiniteLossError, checkpoint_problem,
                           find_resumable_checkpoint)
from mmmoga.models import moganet_configs
from mmmoga.utils import (ConfigCheckError, add_runner_arguments,
                          build_runner, check_config, load_tool_config,
                          tune_malloc)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--work-dir',
        help='where logs and checkpoints go; defaults to '
        './work_dirs/<config name>')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from CHECKPOINT, or without a value from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual total batch size over '
        "the config's auto_scale_lr.base_batch_size")
    add_runner_arguments(parser)
    return parser.parse_args()


def enable_amp(cfg):
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper == 'AmpOptimWrapper':
        return
    if wrapper != 'OptimWrapper':
        raise ConfigCheckError(f'--amp needs optim_wrapper.type OptimWrapper, the '
                         f'config has {wrapper!r}')
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')


def enable_auto_scale_lr(cfg):
    if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
        raise ConfigCheckError('--auto-scale-lr needs auto_scale_lr.base_batch_size '
                         f'in {cfg.filename}')
    cfg.auto_scale_lr.enable = True


def resume_checkpoint(resume, work_dir):
    """The checkpoint ``--resume`` continues from, checked before anything
    is built. Without a value: the newest whole checkpoint in the work dir
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


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    cfg = load_tool_config(args)
    if args.amp:
        enable_amp(cfg)
    if args.auto_scale_lr:
        enable_auto_scale_lr(cfg)
    if args.resume is not None:
        cfg.resume, cfg.load_from = True, resume_checkpoint(
            args.resume, cfg.work_dir)

    deployed = [path for path, backbone in moganet_configs(cfg.model)
                if backbone.get('deploy')]
    if deployed:
        raise ConfigCheckError(
            f'{", ".join(deployed)} has deploy=True: deploy mode folds the '
            'norms and scales for inference and cannot be trained; train '
            'with deploy=False')
    check_config(cfg, resume=args.resume, splits=('train', 'val'))
    build_runner(cfg).train()


if __name__ == '__main__':
    try:
        main()
    except (ConfigCheckError, NonFiniteLossError) as error:  # one message
        raise SystemExit(f'error: {error}') from None
    except BadDataError as error:  # possibly re-raised by a loader worker
        raise SystemExit(f'error: {bad_data_message(error)}') from None
