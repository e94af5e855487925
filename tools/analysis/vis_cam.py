"""Class activation maps of a backbone stage: the image, and the map drawn
over it beside, enlarged so that their short side is at least 512 pixels.

    # Grad-CAM of a classifier, for the class it predicts (or
    # --target-category N), at the last stage
    python tools/analysis/vis_cam.py configs/cls/toy/moganet_xt_toy.py \\
        work_dirs/demo_cls/epoch_7.pth \\
        data/toy_cls/val/circle/circle_000000.jpg --stage 3 \\
        --out work_dirs/analysis/cam.png
    # Eigen-CAM of the backbone of any task's model
    python tools/analysis/vis_cam.py \\
        configs/det/toy/mask_rcnn_moga_xt_toy.py \\
        work_dirs/demo/epoch_3.pth data/toy_coco/val/000000.jpg \\
        --method eigencam --stage 2 --out work_dirs/analysis/cam_det.png
    # every image of a folder, into a folder (<image name>.png each)
    python tools/analysis/vis_cam.py configs/cls/toy/moganet_xt_toy.py \\
        work_dirs/demo_cls/epoch_7.pth data/toy_cls/val/square \\
        --out work_dirs/analysis/cams

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
from mmmoga.apis.analysis.cam import (
    CAM_METHODS,
    beside_image,
    class_activation_map,
)
from mmmoga.apis.pictures import input_images
from mmmoga.apis.run.cli import (
    ToolArgumentParser,
    add_cfg_options_argument,
    prepare_output_file,
)
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import counted, tracked


def parse_args():
    parser = ToolArgumentParser(
        description='Class activation map of a backbone stage')
    parser.add_argument('config', help='config file or model name')
    parser.add_argument('checkpoint', help='the trained weights')
    parser.add_argument('image', help='the image to explain, or a folder of '
                        'images')
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
    parser.add_argument('--out', default='work_dirs/analysis/cam.png',
                        help='where the drawing goes (default: '
                        '%(default)s); for a folder of images, the folder '
                        'the drawings go to')
    add_cfg_options_argument(parser)
    return parser.parse_args()


def describe(args, result, image: str, out: str) -> str:
    """One line on what was drawn."""
    height, width = result.cam.shape
    what = '' if result.target is None else (
        f' of class {result.target}'
        + (f' ({result.target_name})' if result.target_name else ''))
    return (f'{args.method}{what}, stage {args.stage} ({height}x{width} '
            f'positions) over {osp.basename(image)}: wrote {out}')


def main():
    args = parse_args()
    if not osp.exists(args.image):
        raise ConfigCheckError(f'{args.image} does not exist')
    if osp.isdir(args.image):
        images = input_images([args.image]).images
        if not images:
            raise ConfigCheckError(f'no image in the folder {args.image}')
        outs = [osp.join(args.out, osp.splitext(osp.basename(image))[0] +
                         '.png') for image in images]
    else:
        images, outs = [args.image], [args.out]
    prepare_output_file(outs[0], 'the drawing')
    cfg, model = analysis_model(args.config, args.checkpoint,
                                cfg_options=args.cfg_options)
    pairs = list(zip(images, outs))
    for image, out in (tracked(pairs, 'drawing maps') if len(pairs) > 1
                       else pairs):
        result = class_activation_map(cfg, model, image, args.stage,
                                      args.method, args.target_category,
                                      args.size)
        mmcv.imwrite(beside_image(result.image, result.cam), out)
    if len(pairs) == 1:
        print(describe(args, result, image, out))
    else:
        print(f'{args.method}, stage {args.stage}: drew '
              f'{counted(len(pairs), "map")} into {args.out}')


if __name__ == '__main__':
    report_errors(main)
