"""Writes a config for your own dataset, after checking the data.

OUT.py inherits CONFIG (any zoo or toy config of the task) and sets the data
paths, the classes (pose: the keypoint set), the class count of every head
and the evaluators' files; what the data holds is printed.

    python tools/dataset_config.py configs/det/faster_rcnn_moga_s.py \\
        data/my_boxes -o configs/my/faster_rcnn_moga_s_my_boxes.py
    python tools/dataset_config.py configs/seg/upernet_moga_s.py data/roads \\
        --classes road,car,person -o my_roads.py --iters 20000

Default layouts under DATA_ROOT (options name what differs):
  det   annotations/instances_{train,val}.json, {train,val}/ images
  seg   images/{training,validation}/, annotations/{training,validation}/
  pose  annotations/person_keypoints_{train,val}.json, {train,val}/
  cls   {train,val}/<class>/ images (or --train-ann / --val-ann lists)
The test split is the val split.
"""
import argparse
import os.path as osp
import shlex
import sys

from mmmoga.apis import report_errors
from mmmoga.apis.dataset_config import DatasetOptions, write_dataset_config
from mmmoga.apis.run.cli import ToolArgumentParser, prepare_output_file


def parse_args():
    parser = ToolArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 2)[2])
    parser.add_argument('config', help='the zoo or toy config to start from')
    parser.add_argument('data_root', help='the dataset folder')
    parser.add_argument('-o', '--out', required=True,
                        help='the config file to write')
    layout = parser.add_argument_group(
        'layout (paths relative to DATA_ROOT)')
    layout.add_argument('--train-ann', help='det, pose: COCO JSON; cls: '
                        'an annotation list ("path label" lines)')
    layout.add_argument('--val-ann', help='as --train-ann, for val')
    layout.add_argument('--train-img', help='training image folder')
    layout.add_argument('--val-img', help='val image folder')
    layout.add_argument('--train-seg', help='seg: training label maps')
    layout.add_argument('--val-seg', help='seg: val label maps')
    data = parser.add_argument_group('what the files do not say')
    data.add_argument(
        '--classes', help='seg (required), cls with lists: a file with one '
        'class name per line, or a comma list, in label order')
    data.add_argument('--img-suffix',
                      help='seg: image suffix (default: the commonest)')
    data.add_argument('--seg-suffix', default='.png',
                      help='seg: label map suffix (default: %(default)s)')
    data.add_argument('--reduce-zero-label', action='store_true',
                      help='seg: label 0 means "other" and is ignored; 1-N '
                      'are the classes')
    data.add_argument(
        '--flip-pairs', help='pose: mirrored keypoints, NAME:NAME,... '
        '(default: names differing in left / right)')
    data.add_argument(
        '--sigmas', help='pose: OKS sigma, one for all keypoints or one '
        'per keypoint, comma-separated (default: 0.05 each)')
    data.add_argument('--dataset-name',
                      help='pose: name in the dataset meta (default: the '
                      'folder name)')
    training = parser.add_argument_group('training')
    training.add_argument(
        '--no-pretrained', action='store_true',
        help='random backbone initialisation instead of the official '
        'ImageNet weights (for machines without internet)')
    training.add_argument('--epochs', type=int,
                          help='training epochs (epoch-based configs)')
    training.add_argument('--iters', type=int,
                          help='training iterations (iteration-based '
                          'configs, e.g. segmentation)')
    training.add_argument('--batch-size', type=int,
                          help='training images per GPU')
    return parser.parse_args()


def main():
    args = parse_args()
    prepare_output_file(args.out, 'the config file')
    replaced = osp.exists(args.out)
    options = DatasetOptions(**{
        name: getattr(args, name)
        for name in DatasetOptions.__dataclass_fields__})
    command = 'python ' + ' '.join(shlex.quote(a) for a in sys.argv)
    result = write_dataset_config(args.config, args.data_root, args.out,
                                  options, command)
    print(f'wrote {result.out_file} ({result.task}, {len(result.classes)} '
          f'{"keypoints" if result.task == "pose" else "classes"}'
          f'{"; it replaced the file there" if replaced else ""}); it '
          'passes the tools\' checks and its datasets build')
    for line in result.summary:
        print('  ' + line)
    print(f'next: python tools/train.py {result.out_file}')


if __name__ == '__main__':
    report_errors(main)
