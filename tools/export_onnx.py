"""Exports a MogaNet model in deploy mode to ONNX, with dynamic batch and
image size where the graph allows, and checks ONNX Runtime against PyTorch
before it keeps the file (``mmmoga.apis.export``).

    # the backbone alone: image -> the stage outputs of out_indices
    python tools/export_onnx.py configs/cls/moganet_s_in1k.py CKPT \\
        moganet_s.onnx --part backbone
    # a classifier: image -> logits; a segmentor: image -> per-pixel class
    # logits at the image's size (whole-image inference)
    python tools/export_onnx.py configs/cls/moganet_s_in1k.py CKPT cls.onnx
    python tools/export_onnx.py configs/seg/upernet_moga_s.py CKPT seg.onnx
    # a top-down pose model: person crops -> keypoints (crop pixels),
    # keypoint scores, heatmaps; flip test and decoding inside the graph
    python tools/export_onnx.py \\
        configs/pose/topdown_heatmap_moga_s_256x192.py CKPT pose.onnx
    # a detector: image, image_shape, scale_factor -> final boxes, scores,
    # labels (and each box's mask probabilities for a mask model): RPN, RoI
    # heads, cascade stages and NMS in the graph; one image per run
    python tools/export_onnx.py configs/det/mask_rcnn_moga_s.py CKPT det.onnx
    python tools/export_onnx.py configs/det/retinanet_moga_s.py CKPT det.onnx
    # evaluate an exported file on the config's test set
    python tools/test.py configs/pose/topdown_heatmap_moga_s_256x192.py \\
        pose.onnx --backend onnxruntime

CKPT may hold the plain structure (as training saves it; it is folded after
loading) or the deployed one (tools/reparameterize_model.py). The input is a
normalised float32 image batch (N, C, H, W), as the config's
data_preprocessor hands it to the model; the graph does no resizing or
normalisation (the pose graph decodes its heatmaps; a detector's ends with
NMS). docs/deployment.md says what each graph holds.
"""


from mmmoga.apis import export_onnx, load_config, report_errors
from mmmoga.apis.export import PARTS
from mmmoga.apis.run.cli import (
    ToolArgumentParser,
    add_cfg_options_argument,
    prepare_output_file,
)


def parse_args():
    parser = ToolArgumentParser(
        description='Export a MogaNet model (deploy mode) to ONNX')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='weights (plain or deployed)')
    parser.add_argument('out', help='the .onnx file to write')
    parser.add_argument(
        '--part', choices=PARTS, default='model',
        help='model: a classifier, segmentor, pose model or detector as a '
        'whole; backbone: the MogaNet alone')
    parser.add_argument(
        '--shape', type=int, nargs=2, metavar=('H', 'W'),
        help='image size traced and checked (default: a pose model\'s '
        'input size, else 224 224)')
    add_cfg_options_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    prepare_output_file(args.out, 'the ONNX file')
    cfg = load_config(args.config, args.cfg_options)
    exported = export_onnx(cfg, args.checkpoint, args.out, part=args.part,
                           shape=tuple(args.shape) if args.shape else None)
    _, height, width = exported.checked_shapes[0]
    size = f'{height}x{width} only' if exported.fixed_size else 'any H, W'
    channels = exported.in_channels
    checked = ', '.join(f'{b}x{channels}x{h}x{w}'
                        for b, h, w in exported.checked_shapes)
    batch = 'N' if exported.batch_size is None else exported.batch_size
    inputs = ', '.join([f'image ({batch}, {channels}, H, W)'] +
                       exported.input_names[1:])
    batch_note = 'dynamic batch' if exported.batch_size is None else \
        f'batch {exported.batch_size}'
    print(f'wrote {args.out}: {inputs} -> '
          f'{", ".join(exported.output_names)}; {batch_note}, {size}; ONNX '
          f'Runtime equals PyTorch within {exported.difference:.1e} of the '
          f'largest output on {checked}')
    if exported.fixed_size:
        print(f'the image size is fixed: {exported.fixed_size}')
    if exported.check_note:
        print(f'warning: {exported.check_note}')


if __name__ == '__main__':
    report_errors(main)
