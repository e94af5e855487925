"""How many of a large image's objects a detector finds on the whole image
and in tiles (``tools/infer.py --slice``): the recall of each pass against
the image's COCO ground truth, the detections found and the time, and both
drawings.

    python tools/make_toy_data.py det-large --out data/toy_large
    python tools/analysis/sliced_recall.py \\
        configs/det/toy/mask_rcnn_moga_xt_toy.py work_dirs/demo/epoch_3.pth \\
        data/toy_large/annotations/instances_val.json data/toy_large/val \\
        --slice 640 --overlap 0.2 --out-dir work_dirs/analysis/sliced

An object counts as found when a detection of its class scoring at least
--score-thr overlaps its box by IoU 0.5 or more (one detection per object).
"""
import json
import os
import os.path as osp

import mmcv
import numpy as np

from mmmoga.apis import report_errors
from mmmoga.apis.pictures import DEFAULT_SCORE_THR, InferenceSettings
from mmmoga.apis.pictures.predictors import build_predictor
from mmmoga.apis.pictures.slicing import compare_slicing
from mmmoga.apis.run.cli import ToolArgumentParser, count_from
from mmmoga.engine import quiet_current_logger
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import add_allocator_argument, tune_malloc


def parse_args():
    parser = ToolArgumentParser(
        description='Recall of a detector on large images, whole and sliced')
    parser.add_argument('config', help='detector config')
    parser.add_argument('checkpoint', help='its weights')
    parser.add_argument('ann_file', help='COCO annotation file of the images')
    parser.add_argument('image_dir', help='folder of its images')
    parser.add_argument('--slice', type=count_from(32), default=640,
                        metavar='SIZE', help='tile size (default: '
                        '%(default)s)')
    parser.add_argument('--overlap', type=float, default=0.2,
                        help='share of a tile its neighbours cover '
                        '(default: %(default)s)')
    parser.add_argument('--score-thr', type=float, default=DEFAULT_SCORE_THR,
                        help='lowest score of a counted detection (default: '
                        '%(default)s)')
    parser.add_argument('--out-dir', default='work_dirs/analysis/sliced',
                        help='where the drawings go')
    add_allocator_argument(parser)
    return parser.parse_args()


def ground_truth(ann_file: str, classes):
    """Image file name -> (xyxy boxes, label indices) of the COCO file,
    its categories matched to the detector's ``classes`` by name."""
    try:
        with open(ann_file) as f:
            coco = json.load(f)
        names = {c['id']: c['name'] for c in coco['categories']}
        files = {image['id']: image['file_name'] for image in coco['images']}
        objects = {name: ([], []) for name in files.values()}
        for ann in coco['annotations']:
            if ann.get('iscrowd', 0):
                continue
            x, y, w, h = ann['bbox']
            boxes, labels = objects[files[ann['image_id']]]
            boxes.append([x, y, x + w, y + h])
            labels.append(names[ann['category_id']])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigCheckError(
            f'{ann_file} is not a COCO annotation file: '
            f'{type(error).__name__}: {error}') from None
    unknown = sorted({n for _, labels in objects.values() for n in labels} -
                     set(classes))
    if unknown:
        raise ConfigCheckError(
            f'{ann_file} names classes the detector lacks: '
            f'{", ".join(unknown)} (its classes: {", ".join(classes)})')
    return {name: (np.array(boxes, np.float32).reshape(-1, 4),
                   np.array([classes.index(n) for n in labels], np.int64))
            for name, (boxes, labels) in objects.items()}


def main():
    args = parse_args()
    tune_malloc(not args.default_malloc)
    for path in (args.ann_file, args.image_dir):
        if not osp.exists(path):
            raise ConfigCheckError(f'{path} does not exist')
    settings = InferenceSettings(checkpoint=args.checkpoint,
                                 score_thr=args.score_thr,
                                 slice_size=args.slice,
                                 slice_overlap=args.overlap)
    quiet_current_logger()
    sliced = build_predictor(args.config, settings)
    predictor = sliced.predictor
    truth = ground_truth(args.ann_file, list(predictor.class_names))
    os.makedirs(args.out_dir, exist_ok=True)
    rows = []
    for name, (boxes, labels) in truth.items():
        path = osp.join(args.image_dir, name)
        if not osp.isfile(path):
            raise ConfigCheckError(f'{path} (in {args.ann_file}) does not '
                                   'exist')
        image = mmcv.imread(path)
        for found in compare_slicing(predictor, image, boxes, labels,
                                     args.slice, args.overlap):
            kind = 'whole' if found.name == 'whole image' else 'sliced'
            drawn_file = osp.join(
                args.out_dir, f'{osp.splitext(name)[0]}_{kind}.jpg')
            mmcv.imwrite(found.drawn[..., ::-1], drawn_file)
            rows.append((name, found, len(boxes), drawn_file))
    print(f'\n{"image":<16}{"pass":<34}{"objects":>8}{"found":>7}'
          f'{"recall":>8}{"seconds":>9}')
    for name, found, objects, _ in rows:
        print(f'{name:<16}{found.name:<34}{objects:>8}{found.found:>7}'
              f'{found.recall:>8.3f}{found.seconds:>9.1f}')
    print(f'\ndetections counted where their score >= {args.score_thr:g}; '
          f'drawings in {args.out_dir}')


if __name__ == '__main__':
    report_errors(main)
