"""Parameters and FLOPs of any task's model, at the zoo table's input size or
at any other, counted the way the zoo tables count them
(``mmmoga.apis.analysis.complexity.model_complexity``, the code behind
tools/zoo_table.py):

- by mmengine's ``FlopAnalyzer``, the counter of the 2.0 libraries'
  ``get_flops`` tools (one multiply-accumulate = one FLOP);
- by mmcv 1.x's rules, the counter of the official MogaNet tables (it adds
  biases, norms, activations and pooling, and cannot see functional calls).

    python tools/analysis/get_flops.py configs/det/mask_rcnn_moga_s.py
    python tools/analysis/get_flops.py mask_rcnn_moga_s --shape 800 1333
    python tools/analysis/get_flops.py topdown_heatmap_moga_s_256x192 \\
        --shape 384 288

What is counted, per task (docs/zoo.md): a detector's backbone, neck and
heads, with 1000 fixed proposals for RoI heads (100 for mask heads), as the
official tables; a segmentor's backbone, neck and decode head; a pose
model's backbone and head; a classifier. The zoo's sizes are 1280x800 for
detection, 2048x512 for segmentation, the codec's input size for pose and
the test crop for classification. A detector's ``--shape`` is rounded up to
its data preprocessor's ``pad_size_divisor``, as its inputs are padded.
"""
from mmmoga.apis import report_errors
from mmmoga.apis.analysis import add_analysis_arguments, analysis_model
from mmmoga.apis.analysis.complexity import input_label, model_complexity
from mmmoga.apis.run.cli import ToolArgumentParser
from mmmoga.tasks import TASKS

# The operators listed after the totals: those above this share of the FLOPs.
LISTED_SHARE = 0.001


def parse_args():
    parser = ToolArgumentParser(
        description='Parameters and FLOPs of a model, as the zoo tables '
        'count them')
    add_analysis_arguments(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg, model = analysis_model(args.config, deploy=args.deploy,
                                cfg_options=args.cfg_options)
    counted = model_complexity(cfg, model, shape=args.shape)
    width, height = counted.size
    where = "the zoo table's size" if args.shape is None else (
        'padded from --shape' if tuple(args.shape) != (height, width) else
        '--shape')
    print(f'{args.config} ({counted.task}'
          f'{", deploy mode" if args.deploy else ""}): one image of '
          f'{input_label(counted.size, counted.task)} '
          f'({TASKS[counted.task].input_order}; {where})')
    print(f'parameters: {counted.params / 1e6:.2f} M')
    print(f'FLOPs, mmengine FlopAnalyzer: {counted.flops / 1e9:.2f} G')
    print(f'FLOPs, mmcv 1.x rules (the official tables): '
          f'{counted.mmcv_flops / 1e9:.2f} G')
    listed = sorted(((flops, op) for op, flops in
                     counted.flops_by_operator.items()
                     if flops >= LISTED_SHARE * counted.flops), reverse=True)
    print('by operator (mmengine): ' + ', '.join(
        f'{op} {flops / 1e9:.2f} G' for flops, op in listed))


if __name__ == '__main__':
    report_errors(main)
