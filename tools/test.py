"""Evaluates a checkpoint with an mmmoga config: detection, segmentation, pose
or classification alike (the task and registry scope come from the config).

    python tools/test.py configs/det/mask_rcnn_moga_s.py CHECKPOINT
    bash tools/dist_test.sh configs/det/mask_rcnn_moga_s.py CHECKPOINT 8
"""
import argparse
import os.path as osp

from mmengine.config import ConfigDict

from mmmoga.utils import (ConfigCheckError, add_runner_arguments,
                          build_runner, check_config, load_tool_config)

# How each library's visualization hook is told to draw test predictions:
# (switch that turns drawing on, key of the output directory).
VISUALIZATION_HOOKS = {
    'DetVisualizationHook': ('draw', 'test_out_dir'),
    'SegVisualizationHook': ('draw', None),  # mmseg saves via the visualizer
    'PoseVisualizationHook': ('enable', 'out_dir'),
    'VisualizationHook': ('enable', 'out_dir'),  # mmpretrain
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
        help='draw predictions into images saved in this directory (relative '
        'to the timestamped folder in the work dir)')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='seconds per shown image')
    add_runner_arguments(parser)
    return parser.parse_args()


def enable_visualization(cfg, show, show_dir, wait_time):
    hook = cfg.get('default_hooks', {}).get('visualization')
    if hook is None or hook.get('type') not in VISUALIZATION_HOOKS:
        raise ConfigCheckError(
            '--show/--show-dir need default_hooks.visualization to be one of '
            f'{sorted(VISUALIZATION_HOOKS)} in {cfg.filename}')
    switch, out_dir_key = VISUALIZATION_HOOKS[hook['type']]
    hook[switch] = True
    hook['show'] = show
    hook['wait_time'] = wait_time
    if show_dir is not None:
        if out_dir_key is not None:
            hook[out_dir_key] = show_dir
        else:
            cfg.visualizer['save_dir'] = show_dir


def add_dump_results(cfg, out):
    if not out.endswith(('.pkl', '.pickle')):
        raise ConfigCheckError(f'--out must be a .pkl file, got {out}')
    dump = ConfigDict(type='DumpResults', out_file_path=out)
    evaluator = cfg.test_evaluator
    cfg.test_evaluator = (list(evaluator) if isinstance(evaluator, list)
                          else [evaluator]) + [dump]


def main():
    args = parse_args()
    cfg = load_tool_config(args)
    if not osp.isfile(args.checkpoint):
        raise ConfigCheckError(
            f'Checkpoint file {args.checkpoint} does not exist')
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        enable_visualization(cfg, args.show, args.show_dir, args.wait_time)
    if args.out is not None:
        add_dump_results(cfg, args.out)

    check_config(cfg, splits=('test', ))
    build_runner(cfg).test()


if __name__ == '__main__':
    try:
        main()
    except ConfigCheckError as error:  # one message, no traceback
        raise SystemExit(f'error: {error}') from None
