"""Class activation maps of a backbone stage, drawn over the image.

    # Grad-CAM of a classifier, for the class it predicts (or
    # --target-category N), at the last stage
    python tools/analysis/vis_cam.py configs/cls/toy/moganet_xt_toy.py \\
        work_dirs/demo_cls/epoch_7.pth \\
        data/toy_cls/val/circle/circle_000000.jpg --stage 3 --out cam.png
    # Eigen-CAM of the backbone of any task's model
    python tools/analysis/vis_cam.py \\
        configs/det/toy/mask_rcnn_moga_xt_toy.py \\
        work_dirs/demo/epoch_3.pth data/toy_coco/val/000000.jpg \\
        --method eigencam --stage 2 --out cam_det.png

``--stage`` counts from 0 as ``out_indices`` do (MogaNet: 0 to 3). Grad-CAM
needs a class score, so it serves classifiers; Eigen-CAM (the first
principal component of the stage's features) needs none and serves the
backbone of every task's model (mmmoga/apis/analysis/cam.py says why these
two are written here). A classifier's image is shown as its test pipeline
crops it; other images are resized so that their longer side is --size.
"""
import os.path as osp

import mmcv

from mmmoga.apis import report_errors
from mmmoga.apis.analysis import analysis_model
from mmmoga.apis.analysis.cam import CAM_METHODS, class_activation_map, overlay
from mmmoga.apis.run.cli import (
    ToolArgumentParser,
    add_cfg_options_argument,
    prepare_output_file,
)


def parse_args():
    parser = ToolArgumentParser(
        description='Class activation map of a backbone stage')
    parser.add_argument('config', help='config file or model name')
    parser.add_argument('checkpoint', help='the trained weights')
    parser.add_argument('image', help='the image to explain')
    parser.add_argument('--method', choices=CAM_METHODS, default='gradcam')
    parser.add_argument('--stage', type=int, default=3,
                        help='backbone stage, from 0 (default: 3, the last '
                        'of MogaNet)')
    parser.add_argument('--target-category', type=int,
                        help='Grad-CAM: the class to explain (default: the '
                        'predicted one)')
    parser.add_argument('--size', type=int, default=512,
                        help='longer side of the image for models other '
                        'than classifiers')
    parser.add_argument('--out', default='cam.png',
                        help='where the drawing goes')
    add_cfg_options_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    prepare_output_file(args.out, 'the drawing')
    cfg, model = analysis_model(args.config, args.checkpoint,
                                cfg_options=args.cfg_options)
    result = class_activation_map(cfg, model, args.image, args.stage,
                                  args.method, args.target_category,
                                  args.size)
    mmcv.imwrite(overlay(result.image, result.cam), args.out)
    height, width = result.cam.shape
    what = '' if result.target is None else (
        f' of class {result.target}'
        + (f' ({result.target_name})' if result.target_name else ''))
    print(f'{args.method}{what}, stage {args.stage} ({height}x{width} '
          f'positions) over {osp.basename(args.image)}: wrote {args.out}')


if __name__ == '__main__':
    report_errors(main)
