"""Trains a model from an mmmoga config: detection, segmentation, pose or
classification alike (the task and registry scope come from the config).

    python tools/train.py configs/det/mask_rcnn_moga_s.py
    bash tools/dist_train.sh configs/det/mask_rcnn_moga_s.py 8
"""

from mmmoga.apis import (
    add_runner_arguments,
    load_tool_config,
    prepare_training,
    report_errors,
)
from mmmoga.apis.run.cli import ToolArgumentParser
from mmmoga.engine import build_runner
from mmmoga.utils import tune_malloc


def parse_args():
    parser = ToolArgumentParser(description='Train a model')
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
        '--amp', action='store_true',
        help='mixed-precision training: float16 with a loss scale on a '
        'GPU, bfloat16 autocast on a CPU with AVX-512 BF16 or AMX')
    parser.add_argument(
        '--no-pretrained', action='store_true',
        help='start the backbone from its random initialisation instead of '
        'the pretrained weights its init_cfg names (no download)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual total batch size over '
        "the config's auto_scale_lr.base_batch_size")
    add_runner_arguments(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    cfg = load_tool_config(args)
    prepare_training(cfg, amp=args.amp, auto_scale_lr=args.auto_scale_lr,
                     resume=args.resume, no_pretrained=args.no_pretrained)
    build_runner(cfg, verbose=args.verbose).train()


if __name__ == '__main__':
    report_errors(main)
