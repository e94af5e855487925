"""Evaluates a checkpoint with an mmmoga config: detection, segmentation, pose
or classification alike (the task and registry scope come from the config).

    python tools/test.py configs/det/mask_rcnn_moga_s.py CHECKPOINT
    bash tools/dist_test.sh configs/det/mask_rcnn_moga_s.py CHECKPOINT 8
"""
import argparse
import os.path as osp

from mmengine.config import ConfigDict

from mmmoga.datasets import BadDataError, bad_data_message
from mmmoga.models import DeployLayoutError, moganet_configs
from mmmoga.utils import (ConfigCheckError, add_runner_arguments,
                          build_runner, check_config, load_tool_config,
                          tune_malloc)

# How each library's visualization hook is told to draw test predictions:
# (switch that turns drawing on, key of its output directory, other
# settings). The hooks with an output directory key save into
# WORK_DIR/<timestamp>/SHOW_DIR; mmseg's saves through the visualizer, whose
# save_dir becomes SHOW_DIR (images in SHOW_DIR/vis_data/vis_image), and
# draws only every `interval`-th image unless told otherwise.
VISUALIZATION_HOOKS = {
    'DetVisualizationHook': ('draw', 'test_out_dir', {}),
    'SegVisualizationHook': ('draw', None, {'interval': 1}),
    'PoseVisualizationHook': ('enable', 'out_dir', {}),
    # mmpretrain's draws every 5000th image unless told otherwise.
    'VisualizationHook': ('enable', 'out_dir', {'interval': 1}),
}


def parse_args():
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='where metrics are saved; defaults to ./work_dirs/<config name>')
    parser.add_argument(
        '--out', help='dump the raw predictions to this pickle file')
    parser.add_argument(
        '--show', action='store_true', help='show predictions in a window')
    parser.add_argument(
        '--show-dir',
        help='draw every prediction into images saved in this directory: '
        'WORK_DIR/<timestamp>/SHOW_DIR for detection, pose and '
        'classification, SHOW_DIR/vis_data/vis_image for segmentation '
        '(where each library\'s own test tool puts them)')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='seconds per shown image')
    parser.add_argument(
        '--tta',
        action='store_true',
        help="test-time augmentation: the config's tta_pipeline (e.g. "
        "segmentation's multi-scale 0.5-1.75 and flip) and tta_model")
    parser.add_argument(
        '--deploy',
        action='store_true',
        help='test MogaNet in deploy mode: the checkpoint (of the plain '
        'structure) is loaded, then every MogaNet is folded for inference '
        '(switch_to_deploy). A checkpoint written by '
        'tools/reparameterize_model.py needs --cfg-options '
        'model.backbone.deploy=True instead')
    add_runner_arguments(parser)
    return parser.parse_args()


def enable_visualization(cfg, show, show_dir, wait_time):
    """Turns drawing on; returns where the drawn images will be, with
    ``{timestamp}`` standing for the run's timestamp (None: not saved)."""
    hook = cfg.get('default_hooks', {}).get('visualization')
    if hook is None or hook.get('type') not in VISUALIZATION_HOOKS:
        raise ConfigCheckError(
            '--show/--show-dir need default_hooks.visualization to be one of '
            f'{sorted(VISUALIZATION_HOOKS)} in {cfg.filename}')
    switch, out_dir_key, settings = VISUALIZATION_HOOKS[hook['type']]
    hook.update(settings, show=show, wait_time=wait_time)
    hook[switch] = True
    if show_dir is None:
        return None
    if out_dir_key is None:
        cfg.visualizer['save_dir'] = show_dir
        return osp.join(show_dir, 'vis_data', 'vis_image')
    hook[out_dir_key] = show_dir
    return osp.join(cfg.work_dir, '{timestamp}', show_dir)


def enable_tta(cfg):
    """Tests the config's ``tta_model`` around its model on its
    ``tta_pipeline``, the way the OpenMMLab test tools do."""
    missing = [key for key in ('tta_model', 'tta_pipeline') if key not in cfg]
    if missing:
        raise ConfigCheckError(
            f'--tta needs {" and ".join(missing)} in {cfg.filename}, which '
            'has no test-time augmentation defined (the segmentation '
            'configs inherit mmseg\'s)')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def add_dump_results(cfg, out):
    if not out.endswith(('.pkl', '.pickle')):
        raise ConfigCheckError(f'--out must be a .pkl file, got {out}')
    dump = ConfigDict(type='DumpResults', out_file_path=out)
    evaluator = cfg.test_evaluator
    cfg.test_evaluator = (list(evaluator) if isinstance(evaluator, list)
                          else [evaluator]) + [dump]


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    cfg = load_tool_config(args)
    if not osp.isfile(args.checkpoint):
        raise ConfigCheckError(
            f'Checkpoint file {args.checkpoint} does not exist')
    cfg.load_from = args.checkpoint
    drawn_dir = None
    if args.show or args.show_dir:
        drawn_dir = enable_visualization(cfg, args.show, args.show_dir,
                                         args.wait_time)
    if args.out is not None:
        add_dump_results(cfg, args.out)
    if args.tta:
        enable_tta(cfg)
    if args.deploy:
        if not moganet_configs(cfg.model):
            raise ConfigCheckError(
                f'--deploy switches MogaNet backbones to deploy mode, but '
                f'the model of {args.config} has none')
        # Runs after the Runner has loaded the checkpoint.
        cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
            ConfigDict(type='MogaNetDeployHook')
        ]

    check_config(cfg, splits=('test', ))
    runner = build_runner(cfg)
    runner.test()
    if drawn_dir is not None:
        print('drawn predictions are in '
              f'{drawn_dir.format(timestamp=runner.timestamp)}')


if __name__ == '__main__':
    try:
        main()
    except (ConfigCheckError, DeployLayoutError) as error:  # one message
        raise SystemExit(f'error: {error}') from None
    except BadDataError as error:  # possibly re-raised by a loader worker
        raise SystemExit(f'error: {bad_data_message(error)}') from None
