"""Draws a trained model's predictions on images.

    python tools/infer.py demo.jpg more_images/ \
        --config configs/det/mask_rcnn_moga_s.py --checkpoint CKPT \
        --out-dir outputs

Detection configs go through MMDetection's ``DetInferencer``, which writes
the drawn images to ``OUT_DIR/vis/`` and the predictions as json to
``OUT_DIR/preds/``. Segmentation configs go through MMSegmentation's
``MMSegInferencer``: coloured overlays to ``OUT_DIR/vis/`` and the label maps
(PNG, one class index per pixel, as the model's ``dataset_meta`` counts the
classes) to ``OUT_DIR/pred/``, both named after the input image. Top-down
pose configs draw the skeletons of the people in the boxes of ``--bboxes``
(a COCO-layout annotation file: ground-truth boxes, or any boxes written
that way), or of the whole image where it has none, to ``OUT_DIR/vis/`` and
write keypoints, scores and boxes as JSON to ``OUT_DIR/pred/``.

    python tools/infer.py data/toy_coco_pose/val \
        --config configs/pose/toy/topdown_heatmap_moga_xt_toy.py \
        --checkpoint CKPT \
        --bboxes data/toy_coco_pose/annotations/person_keypoints_val.json
"""
import argparse
import json
import os
import os.path as osp

import mmcv
import numpy as np
from mmengine.config import Config
from mmengine.utils import scandir

from mmmoga.models import (DeployLayoutError, moganet_configs,
                           switch_model_to_deploy)
from mmmoga.utils import (ConfigCheckError, add_allocator_argument,
                          tune_malloc)


def parse_args():
    parser = argparse.ArgumentParser(description='Draw model predictions')
    parser.add_argument('inputs', nargs='+', help='image files or folders')
    parser.add_argument('--config', required=True, help='model config')
    parser.add_argument('--checkpoint', required=True, help='weights')
    parser.add_argument('--out-dir', default='outputs',
                        help='where drawn images go')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='detection: draw predictions scoring at least '
                        'this')
    parser.add_argument('--bboxes',
                        help='pose: COCO annotation file whose boxes '
                        '(matched by image file name) locate the people; '
                        'without it each image is one person box')
    add_allocator_argument(parser)
    parser.add_argument('--kpt-thr', type=float, default=0.3,
                        help='pose: draw keypoints scoring at least this')
    parser.add_argument('--deploy', action='store_true',
                        help='run MogaNet in deploy mode (folded for '
                        'inference, faster on the CPU) after loading the '
                        'checkpoint of the plain structure')
    return parser.parse_args()


def prepare_model(model, args):
    """Switches the loaded model to deploy mode if asked to."""
    if args.deploy:
        switch_model_to_deploy(model)


def infer_detection(args):
    from mmdet.apis import DetInferencer
    inferencer = DetInferencer(
        model=args.config, weights=args.checkpoint, device=args.device)
    prepare_model(inferencer.model, args)
    for source in args.inputs:
        inferencer(source, out_dir=args.out_dir,
                   pred_score_thr=args.score_thr, no_save_pred=False)


IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def image_files(inputs):
    """The image files among ``inputs``, folders expanded in sorted order."""
    for source in inputs:
        if osp.isdir(source):
            for name in sorted(scandir(source, IMAGE_SUFFIXES,
                                       recursive=True, case_sensitive=False)):
                yield osp.join(source, name)
        else:
            yield source


def output_dirs(args):
    """``OUT_DIR/vis`` and ``OUT_DIR/pred``, created."""
    vis_dir = osp.join(args.out_dir, 'vis')
    pred_dir = osp.join(args.out_dir, 'pred')
    for folder in (vis_dir, pred_dir):
        os.makedirs(folder, exist_ok=True)
    return vis_dir, pred_dir


def infer_segmentation(args):
    from mmseg.apis import MMSegInferencer
    inferencer = MMSegInferencer(
        model=args.config, weights=args.checkpoint, device=args.device)
    prepare_model(inferencer.model, args)
    vis_dir, pred_dir = output_dirs(args)
    # 8-bit PNGs hold class indices up to 255; more classes need 16 bits.
    num_classes = len(inferencer.model.dataset_meta['classes'])
    label_dtype = np.uint8 if num_classes <= 256 else np.uint16
    for path in image_files(args.inputs):
        # MMSegInferencer names the label maps it saves by a running counter;
        # the overlay and the label map are saved here under the image's name.
        result = inferencer(path, return_vis=True)
        stem = osp.splitext(osp.basename(path))[0]
        mmcv.imwrite(result['visualization'][..., ::-1],
                     osp.join(vis_dir, stem + '.png'))
        mmcv.imwrite(result['predictions'].astype(label_dtype),
                     osp.join(pred_dir, stem + '.png'))


def infer_pose(args):
    from mmmoga.utils.pose_drawing import PoseDrawer, load_person_boxes
    boxes = load_person_boxes(args.bboxes) if args.bboxes else None
    drawer = PoseDrawer(args.config, args.checkpoint, device=args.device)
    prepare_model(drawer.model, args)
    drawer.draw_all(image_files(args.inputs), args.out_dir, boxes,
                    args.kpt_thr)


def infer_classification(args):
    from mmpretrain.apis import ImageClassificationInferencer
    inferencer = ImageClassificationInferencer(
        model=args.config, pretrained=args.checkpoint, device=args.device)
    prepare_model(inferencer.model, args)
    vis_dir, pred_dir = output_dirs(args)
    for path in image_files(args.inputs):
        # The inferencer draws into vis_dir, named after the image (PNG).
        (result, ) = inferencer(path, show_dir=vis_dir)
        stem = osp.splitext(osp.basename(path))[0]
        with open(osp.join(pred_dir, stem + '.json'), 'w') as f:
            json.dump(dict(result, pred_scores=result['pred_scores'].tolist()),
                      f)


INFERENCE = {
    'mmdet': infer_detection,
    'mmseg': infer_segmentation,
    'mmpose': infer_pose,
    'mmpretrain': infer_classification
}


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    for path in [args.config, args.checkpoint, *args.inputs,
                 *([args.bboxes] if args.bboxes else [])]:
        if not osp.exists(path):
            raise ConfigCheckError(f'{path} does not exist')
    cfg = Config.fromfile(args.config)
    scope = cfg.get('default_scope')
    if args.deploy and not moganet_configs(cfg.model):
        raise ConfigCheckError(
            f'--deploy switches MogaNet backbones to deploy mode, but the '
            f'model of {args.config} has none')
    if scope not in INFERENCE:
        raise ConfigCheckError(
            f'tools/infer.py draws predictions of {sorted(INFERENCE)} '
            f'configs; {args.config} has default_scope {scope!r}')
    INFERENCE[scope](args)
    print(f'drawn predictions are in {osp.join(args.out_dir, "vis")}')


if __name__ == '__main__':
    try:
        main()
    except (ConfigCheckError, DeployLayoutError) as error:  # one message
        raise SystemExit(f'error: {error}') from None
