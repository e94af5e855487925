"""Evaluates a checkpoint with an mmmoga config: detection, segmentation, pose
or classification alike (the task and registry scope come from the config).

    python tools/test.py configs/det/mask_rcnn_moga_s.py CHECKPOINT
    python tools/test.py configs/cls/moganet_s_in1k.py cls.onnx \\
        --backend openvino
    bash tools/dist_test.sh configs/det/mask_rcnn_moga_s.py CHECKPOINT 8
"""

import time

from mmmoga.apis import (
    add_runner_arguments,
    load_tool_config,
    prepare_testing,
    report_errors,
)
from mmmoga.apis.run.cli import ToolArgumentParser
from mmmoga.apis.run.testing import caption_drawings
from mmmoga.engine import build_runner
from mmmoga.runtime import BACKENDS
from mmmoga.utils import tune_malloc


def parse_args():
    parser = ToolArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint', help='checkpoint file, or an exported model: an .onnx '
        'file (tools/export_onnx.py, tools/quantize.py) or an OpenVINO IR '
        '.xml (tools/quantize.py)')
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
        'WORK_DIR/<timestamp>/SHOW_DIR for detection and pose, SHOW_DIR '
        'for classification, SHOW_DIR/vis_data/vis_image for segmentation '
        '(where each library\'s own test tool puts them; the tool prints '
        'the folder at the end)')
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
    parser.add_argument(
        '--allow-partial',
        action='store_true',
        help='test even if the checkpoint does not fill the model exactly '
        '(the tensors that fit are loaded, the mismatch is printed)')
    parser.add_argument(
        '--backend', choices=BACKENDS,
        help='runtime of an exported CHECKPOINT (default: onnxruntime for '
        'an .onnx file, openvino for an .xml)')
    parser.add_argument(
        '--amp', action='store_true',
        help='test under mixed precision: float16 on a GPU, bfloat16 on a '
        'CPU with AVX-512 BF16 or AMX')
    add_runner_arguments(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    cfg = load_tool_config(args)
    drawn_dir = prepare_testing(
        cfg, args.checkpoint, show=args.show, show_dir=args.show_dir,
        wait_time=args.wait_time, out=args.out, tta=args.tta,
        deploy=args.deploy, allow_partial=args.allow_partial,
        backend=args.backend, amp=args.amp)
    runner = build_runner(cfg, verbose=args.verbose)
    started = time.time()
    runner.test()
    if drawn_dir is not None:
        drawn_dir = drawn_dir.format(timestamp=runner.timestamp)
        caption_drawings(cfg, drawn_dir, started)
        print(f'drawn predictions are in {drawn_dir}')


if __name__ == '__main__':
    report_errors(main)
