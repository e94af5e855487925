"""Converts a trained checkpoint to MogaNet's deploy mode
(``mmmoga.apis.run.reparameterization.reparameterize_checkpoint``).

    python tools/reparameterize_model.py configs/det/mask_rcnn_moga_s.py \\
        epoch_12.pth mask_rcnn_moga_s_deploy.pth
    python tools/test.py configs/det/mask_rcnn_moga_s.py \\
        mask_rcnn_moga_s_deploy.pth --cfg-options model.backbone.deploy=True

The checkpoint (of the plain structure, as tools/train.py saves it) is
loaded strictly into the config's model, every MogaNet in it is folded for
inference, and the result is checked before it is written: it must load
strictly into the config's model built with ``deploy=True``, and each
backbone's outputs on a random image must equal those of the plain one.
Necks and heads are kept as they are; the meta data (class names, palette)
is carried over.
"""

import torch

from mmmoga.apis import load_config, reparameterize_checkpoint, report_errors
from mmmoga.apis.run.cli import (
    ToolArgumentParser,
    add_cfg_options_argument,
    prepare_output_file,
)


def parse_args():
    parser = ToolArgumentParser(
        description='Fold a trained MogaNet model for inference (deploy '
        'mode)')
    parser.add_argument('config', help='the config the checkpoint was '
                        'trained with')
    parser.add_argument('checkpoint', help='checkpoint of the plain model')
    parser.add_argument('out', help='where to write the deployed checkpoint')
    parser.add_argument(
        '--check-size', type=int, default=224,
        help='side of the random image the outputs are compared on')
    add_cfg_options_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    prepare_output_file(args.out, 'the deployed checkpoint')
    cfg = load_config(args.config, args.cfg_options)
    result = reparameterize_checkpoint(cfg, args.checkpoint, args.check_size)
    torch.save(result.checkpoint, args.out)
    size = f'{args.check_size}x{args.check_size}'
    for name, difference in result.differences.items():
        print(f'{name or "the model"}: folded for deploy mode; outputs on a '
              f'random {size} image equal the plain model\'s within '
              f'{difference:.1e} of the largest output')
    print(f'wrote {args.out}; test it with\n  python tools/test.py '
          f'{args.config} {args.out} --cfg-options '
          f'{" ".join(result.cfg_options)}')


if __name__ == '__main__':
    report_errors(main)
