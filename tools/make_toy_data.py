"""Generates a deterministic toy dataset for a task.

    python tools/make_toy_data.py det --out data/toy_coco
    python tools/make_toy_data.py det-boxes --out data/toy_boxes
    python tools/make_toy_data.py seg --out data/toy_ade
    python tools/make_toy_data.py pose --out data/toy_coco_pose
    python tools/make_toy_data.py cls --out data/toy_cls
    python tools/make_toy_data.py det-large --out data/toy_large
    python tools/make_toy_data.py video --out data/toy_video

det: COCO instance segmentation of circles, squares and triangles (1-6 per
image, varied size, colour and position, with overlaps and background
clutter), `train/`, `val/` and `annotations/instances_{train,val}.json`.
det-boxes: the same images and boxes without masks, in another layout
(`labels/{train,val}.json` with category ids 7, 3, 12 and
`pictures/{train,val}/part_<n>/*.jpg`), for trying tools/dataset_config.py.
seg: semantic segmentation in ADE20K's layout (`images/{training,validation}`,
`annotations/{training,validation}` label maps, 0 = ignored background) of
the same shapes over regions textured with stripes, checks or dots; colours
are shared by all six classes.
pose: COCO person keypoints (17 keypoints, COCO's skeleton) of articulated
limb figures, 1-3 per image, in varied poses, sizes, tilts and colours, some
joints occluded or outside the image; the person's left limbs and left eye
and ear are marked light, the right ones dark. `train/`, `val/` and
`annotations/person_keypoints_{train,val}.json`.
cls: 64x64 images of one shape each (circle, square or triangle) in
MMPretrain's CustomDataset layout, `{train,val}/<class>/*.jpg`.
det-large: 4000x4000 mosaics (5x5) of the det scenes drawn twice as large, for
sliced inference (`tools/infer.py --slice`): `val/` and
`annotations/instances_val.json` (one image; --num-val for more).
video: `pan.mp4`, 48 frames (4 s) of a 640x480 view panning across such a
mosaic, for trying `tools/infer.py` on a video.
"""
import argparse
import time

from mmmoga.apis.run.cli import ToolArgumentParser, report_errors
from mmmoga.errors import ConfigCheckError
from mmmoga.toy_data import (
    write_toy_ade,
    write_toy_boxes,
    write_toy_cls,
    write_toy_coco,
    write_toy_coco_pose,
    write_toy_large,
    write_toy_video,
)

WRITERS = {
    'det': write_toy_coco,
    'det-boxes': write_toy_boxes,
    'seg': write_toy_ade,
    'pose': write_toy_coco_pose,
    'cls': write_toy_cls,
    'det-large': write_toy_large,
    'video': write_toy_video
}


def parse_args():
    parser = ToolArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('task', choices=sorted(WRITERS),
                        help='which dataset to write')
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument('--num-train', type=int,
                        help='training images (default: 400; cls: 1200)')
    parser.add_argument('--num-val', type=int,
                        help='validation images (default: 80; cls: 240)')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    args = parse_args()
    if args.task in ('det-large', 'video') and args.num_train is not None:
        raise ConfigCheckError(
            f'{args.task} writes no training split: --num-train does not '
            'apply')
    if args.task == 'video' and args.num_val is not None:
        raise ConfigCheckError('video writes one video: --num-val does not '
                               'apply')
    start = time.time()
    # Each writer's own default for the counts not given.
    counts = {key: value for key, value in (('num_train', args.num_train),
                                            ('num_val', args.num_val))
              if value is not None}
    written = WRITERS[args.task](args.out, seed=args.seed, **counts)
    for split, path in written.items():
        print(f'{split}: {path}')
    print(f'done in {time.time() - start:.1f}s')


if __name__ == '__main__':
    report_errors(main)
