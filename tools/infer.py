"""Draws a trained model's predictions on images, for every task
(``mmmoga.apis.run.inference`` says where each task's outputs go).

    python tools/infer.py demo.jpg more_images/ \
        --config configs/det/mask_rcnn_moga_s.py --checkpoint CKPT \
        --out-dir outputs
    python tools/infer.py data/toy_coco_pose/val \
        --config configs/pose/toy/topdown_heatmap_moga_xt_toy.py \
        --checkpoint CKPT \
        --bboxes data/toy_coco_pose/annotations/person_keypoints_val.json
    # an exported model (tools/export_onnx.py), drawn the same way
    python tools/infer.py demo.jpg --config configs/det/mask_rcnn_moga_s.py \
        --checkpoint det.onnx --backend openvino
"""
import os.path as osp

from mmmoga.apis import report_errors
from mmmoga.apis.run.cli import ToolArgumentParser, count_from
from mmmoga.apis.run.inference import (
    DEFAULT_SCORE_THR,
    InferenceSettings,
    infer,
)
from mmmoga.errors import ConfigCheckError
from mmmoga.runtime import BACKENDS
from mmmoga.utils import add_allocator_argument, counted, tune_malloc
from mmmoga.visualization import load_person_boxes


def parse_args():
    parser = ToolArgumentParser(description='Draw model predictions')
    parser.add_argument('inputs', nargs='+', help='image files or folders')
    parser.add_argument('--config', required=True, help='model config')
    parser.add_argument('--checkpoint', required=True,
                        help='weights, or an exported model: .onnx '
                        '(tools/export_onnx.py, tools/quantize.py) or an '
                        'OpenVINO IR .xml (tools/quantize.py)')
    parser.add_argument('--backend', choices=BACKENDS,
                        help='runtime of an exported checkpoint (default: '
                        'onnxruntime for .onnx, openvino for .xml)')
    parser.add_argument('--out-dir', default='outputs',
                        help='where drawn images go')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--score-thr', type=float, default=DEFAULT_SCORE_THR,
                        help='detection: draw predictions scoring at least '
                        'this (default: %(default)s)')
    parser.add_argument('--bboxes',
                        help='pose: COCO annotation file whose boxes '
                        '(matched by image file name) locate the people; '
                        'without it each image is one person box')
    parser.add_argument('--kpt-thr', type=float, default=0.3,
                        help='pose: draw keypoints scoring at least this')
    parser.add_argument('--top-classes', type=count_from(1), default=5,
                        help='classification: how many of the best classes '
                        'are listed beside the image (default: %(default)s)')
    parser.add_argument('--deploy', action='store_true',
                        help='run MogaNet in deploy mode (folded for '
                        'inference, faster on the CPU) after loading the '
                        'checkpoint of the plain structure')
    parser.add_argument('--strict', action='store_true',
                        help='exit non-zero if any input is not an image or '
                        'does not decode (by default they are reported and '
                        'left out)')
    parser.add_argument('--allow-partial', action='store_true',
                        help='draw even if the checkpoint does not fill the '
                        'model exactly (the mismatch is printed)')
    add_allocator_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    if args.bboxes and not osp.exists(args.bboxes):
        raise ConfigCheckError(f'{args.bboxes} does not exist')
    settings = InferenceSettings(
        checkpoint=args.checkpoint, out_dir=args.out_dir, device=args.device,
        deploy=args.deploy, score_thr=args.score_thr, kpt_thr=args.kpt_thr,
        top_classes=args.top_classes,
        person_boxes=load_person_boxes(args.bboxes) if args.bboxes else None,
        allow_partial=args.allow_partial, backend=args.backend)
    found = infer(args.config, args.inputs, settings)
    if found.not_images:
        print(f'not images, left out: {", ".join(found.not_images)}')
    for path, problem in found.unreadable:
        print(f'left out {path}: {problem}')
    print(f'drew {counted(len(found.images), "image")}; the drawn '
          'predictions are in '
          f'{osp.join(args.out_dir, "vis")}')
    left_out = len(found.not_images) + len(found.unreadable)
    if args.strict and left_out:
        raise ConfigCheckError(
            f'--strict: {counted(left_out, "input")} left out (listed above)')


if __name__ == '__main__':
    report_errors(main)
