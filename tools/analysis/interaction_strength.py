"""The multi-order interaction strength of a classifier, as MogaNet's paper
measures it (Li et al., ICLR 2024, after Deng et al., ICLR 2022): how much
pairs of image patches contribute together beyond their separate
contributions, given contexts of m other patches, for orders m / n from 0
to 1. Any backbone MMPretrain builds can be measured, so MogaNet can be set
against ResNet, ConvNeXt and others.

    python tools/analysis/interaction_strength.py \\
        configs/cls/toy/moganet_xt_toy.py work_dirs/demo_cls/epoch_7.pth \\
        --data data/toy_cls/val --name MogaNet-XT \\
        --out-dir work_dirs/interaction

Each run adds its model's curve to OUT_DIR/interaction_strength.csv
(replacing an earlier curve of the same --name) and draws every curve of
the CSV in OUT_DIR/interaction_strength.png. The definition, the sampling
and the cost (4 x orders x pairs x contexts forward passes per image) are
in mmmoga/apis/analysis/interaction.py and docs/analysis.md.
"""
import os
import os.path as osp

from mmmoga.apis import report_errors
from mmmoga.apis.analysis import analysis_model
from mmmoga.apis.analysis.interaction import (
    DEFAULT_ORDER_RATIOS,
    classifier_log_odds,
    interaction_strength,
    labelled_images,
    plot_relative_strength,
    write_csv_rows,
)
from mmmoga.apis.run.cli import (
    ToolArgumentParser,
    add_cfg_options_argument,
    count_from,
)
from mmmoga.utils import counted


def parse_args():
    parser = ToolArgumentParser(
        description='Multi-order interaction strength of a classifier')
    parser.add_argument('config', help='classifier config file or model name')
    parser.add_argument('checkpoint', help='its trained weights')
    parser.add_argument(
        '--data', required=True,
        help='images in one folder per class (MMPretrain CustomDataset)')
    parser.add_argument('--num-images', type=count_from(1), default=16,
                        help='images drawn from --data (default: '
                        '%(default)s)')
    parser.add_argument('--grid', type=count_from(2), default=8,
                        help='patches per side: n = grid x grid players '
                        '(default: %(default)s)')
    parser.add_argument('--pairs', type=count_from(1), default=16,
                        help='patch pairs sampled per image (default: '
                        '%(default)s)')
    parser.add_argument('--contexts', type=count_from(1), default=2,
                        help='contexts sampled per pair and order '
                        '(default: %(default)s)')
    parser.add_argument('--seed', type=int, default=0,
                        help='random seed of the sampling (default: '
                        '%(default)s)')
    parser.add_argument('--name', help='the curve\'s name (default: the '
                        'config\'s file name)')
    parser.add_argument('--out-dir', default='work_dirs/interaction',
                        help='where the CSV and the plot go (default: '
                        '%(default)s)')
    add_cfg_options_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    # The interaction strength is measured on classifiers.
    cfg, model = analysis_model(args.config, args.checkpoint,
                                cfg_options=args.cfg_options,
                                scope='mmpretrain')
    data = labelled_images(cfg, model, args.data, args.num_images, args.seed)
    num_patches = args.grid * args.grid
    result = interaction_strength(
        classifier_log_odds(model, data.images, data.labels, args.grid),
        num_patches, len(data.images), DEFAULT_ORDER_RATIOS, args.pairs,
        args.contexts, args.seed, progress='measuring interactions')
    name = args.name or osp.splitext(osp.basename(args.config))[0]
    os.makedirs(args.out_dir, exist_ok=True)
    csv_path = osp.join(args.out_dir, 'interaction_strength.csv')
    rows = write_csv_rows(csv_path, name, result, dict(
        images=len(data.images), grid=args.grid, pairs=args.pairs,
        contexts=args.contexts, seed=args.seed))
    plot_path = osp.join(args.out_dir, 'interaction_strength.png')
    plot_relative_strength(rows, plot_path)
    print(f'{name}: {counted(len(data.images), "image")}, '
          f'{counted(num_patches, "patch", "patches")}, '
          f'{counted(result.forwards, "forward pass", "forward passes")}')
    print('m/n  ' + ' '.join(f'{r:5.2f}' for r in result.order_ratios))
    print('J(m) ' + ' '.join(f'{j:5.2f}' for j in result.relative))
    print(f'wrote {csv_path} and {plot_path}')


if __name__ == '__main__':
    report_errors(main)
