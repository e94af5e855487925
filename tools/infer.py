"""Draws a trained model's predictions on images, videos or a camera's
stream, for every task (``mmmoga.apis.pictures`` says where each task's
outputs go).

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
    # people found by a detector first, then their poses
    python tools/infer.py photo.jpg --config POSE_CONFIG --checkpoint POSE \
        --det-config DET_CONFIG --det-checkpoint DET
    # a video (written at its frame rate), a camera, a large image in tiles
    python tools/infer.py clip.mp4 --config CONFIG --checkpoint CKPT
    python tools/infer.py --webcam 0 --config CONFIG --checkpoint CKPT
    python tools/infer.py aerial.jpg --config DET_CONFIG --checkpoint DET \
        --slice 640 --overlap 0.2
"""
import os.path as osp

from mmmoga.apis import report_errors
from mmmoga.apis.pictures import (
    DEFAULT_SCORE_THR,
    InferenceSettings,
    infer,
    infer_video,
    infer_webcam,
    is_video,
)
from mmmoga.apis.pictures.predictors import DEFAULT_PERSON_SCORE_THR
from mmmoga.apis.pictures.slicing import SLICED_KEEPS
from mmmoga.apis.run.cli import ToolArgumentParser, count_from
from mmmoga.errors import ConfigCheckError
from mmmoga.runtime import BACKENDS
from mmmoga.utils import add_allocator_argument, counted, tune_malloc
from mmmoga.visualization import load_person_boxes


def parse_args():
    parser = ToolArgumentParser(description='Draw model predictions')
    parser.add_argument('inputs', nargs='*',
                        help='image files or folders, video files')
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
    parser.add_argument('--det-config',
                        help='pose: a detector config whose model finds the '
                        'people first (as MMPose\'s inferencer does)')
    parser.add_argument('--det-checkpoint', help='weights of --det-config')
    parser.add_argument('--det-cat-id', type=int, default=0,
                        help='pose: the class index of a person among the '
                        'detector\'s classes (default: %(default)s)')
    parser.add_argument('--det-score-thr', type=float,
                        default=DEFAULT_PERSON_SCORE_THR,
                        help='pose: person boxes scoring above this are '
                        'read (default: %(default)s)')
    parser.add_argument('--kpt-thr', type=float, default=0.3,
                        help='pose: draw keypoints scoring at least this')
    parser.add_argument('--top-classes', type=count_from(1), default=5,
                        help='classification: how many of the best classes '
                        'are listed beside the image (default: %(default)s)')
    parser.add_argument('--slice', type=count_from(32), metavar='SIZE',
                        help='detection: tile each image into squares of '
                        'SIZE pixels, detect in each tile and in the whole '
                        'image, and merge (for large images with small '
                        'objects)')
    parser.add_argument('--overlap', type=float, default=0.2,
                        help='with --slice: the fraction of a tile that '
                        'neighbouring tiles share (default: %(default)s)')
    parser.add_argument('--webcam', type=count_from(0), metavar='N',
                        help='draw on the frames of camera N (Ctrl-C ends) '
                        'into OUT_DIR/webcam_N.mp4')
    parser.add_argument('--max-frames', type=count_from(1),
                        help='videos and the camera: stop after this many '
                        'frames')
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


def _report_video(result):
    print(f'wrote {result.out_file}: {counted(result.frames, "frame")} at '
          f'{result.fps:g} frames per second; predicted and drawn at '
          f'{result.achieved_fps:.2f} frames per second')


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    if not args.inputs and args.webcam is None:
        raise ConfigCheckError(
            'nothing to draw on: give images, folders or videos, or '
            '--webcam N')
    if args.bboxes and not osp.exists(args.bboxes):
        raise ConfigCheckError(f'{args.bboxes} does not exist')
    if args.det_checkpoint and not args.det_config:
        raise ConfigCheckError('--det-checkpoint needs --det-config')
    settings = InferenceSettings(
        checkpoint=args.checkpoint, out_dir=args.out_dir, device=args.device,
        deploy=args.deploy, score_thr=args.score_thr, kpt_thr=args.kpt_thr,
        top_classes=args.top_classes,
        person_boxes=load_person_boxes(args.bboxes) if args.bboxes else None,
        allow_partial=args.allow_partial, backend=args.backend,
        det_config=args.det_config, det_checkpoint=args.det_checkpoint,
        det_cat_id=args.det_cat_id, det_score_thr=args.det_score_thr,
        slice_size=args.slice, slice_overlap=args.overlap)
    if args.slice is not None:
        print(f'--slice {args.slice}: tiles of {args.slice} pixels '
              f'overlapping by {args.overlap:g}, and the whole image; kept: '
              f'{SLICED_KEEPS}')
    videos = [path for path in args.inputs
              if is_video(path) and not osp.isdir(path)]
    images = [path for path in args.inputs if path not in videos]
    if args.max_frames is not None and not videos and args.webcam is None:
        raise ConfigCheckError(
            '--max-frames applies to videos and --webcam; the inputs are '
            'images')
    if args.webcam is not None:
        _report_video(infer_webcam(args.config, args.webcam, settings,
                                   args.max_frames))
    for video in videos:
        _report_video(infer_video(args.config, video, settings,
                                  args.max_frames))
    if not images:
        return
    found = infer(args.config, images, settings)
    if found.not_images:
        print(f'not images, left out: {", ".join(found.not_images)}')
    for path, problem in found.unreadable:
        print(f'left out {path}: {problem}')
    print(f'drew {counted(len(found.images), "image")}; the drawn '
          'predictions are in '
          f'{osp.join(args.out_dir, "vis")}, the predictions in '
          f'{osp.join(args.out_dir, "pred")}')
    left_out = len(found.not_images) + len(found.unreadable)
    if args.strict and left_out:
        raise ConfigCheckError(
            f'--strict: {counted(left_out, "input")} left out (listed above)')


if __name__ == '__main__':
    report_errors(main)
