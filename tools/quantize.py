"""Quantizes a trained model for the CPU after training, and keeps it only
if its accuracy on the config's validation set holds (``mmmoga.apis.
quantization``; docs/deployment.md, "INT8 and bfloat16 on the CPU").

    # OpenVINO: NNCF's INT8 into an IR (det_int8.xml + det_int8.bin)
    python tools/quantize.py configs/det/mask_rcnn_moga_s.py CKPT \\
        det_int8.xml --backend openvino
    # ONNX Runtime: static QDQ INT8 into an .onnx
    python tools/quantize.py configs/cls/moganet_s_in1k.py CKPT \\
        cls_int8.onnx --backend onnxruntime --calib-images 500
    # OpenVINO in bfloat16 (CPUs with AVX-512 BF16 or AMX)
    python tools/quantize.py configs/cls/moganet_s_in1k.py CKPT \\
        cls_bf16.xml --backend openvino --precision bf16
    # then, as any exported model
    python tools/test.py configs/det/mask_rcnn_moga_s.py det_int8.xml

The model is exported as tools/export_onnx.py exports it, evaluated in
float32 in the backend, quantized (calibrated on --calib-images images of
the config's training set, read through its test pipeline) and evaluated
again with the config's metric. OUT is written only when no main metric
(top-1 and top-5, mIoU and mAcc, AP and AR, box and mask AP) falls more
than --max-drop points; otherwise the known remedies are tried in order and
the first that passes is kept, or nothing is written.
"""
from mmmoga.apis import load_config, report_errors
from mmmoga.apis.quantization import (
    DEFAULT_CALIB_IMAGES,
    DEFAULT_MAX_DROP,
    PRECISIONS,
    quantize_model,
    refusal,
)
from mmmoga.apis.run.cli import (
    ToolArgumentParser,
    add_cfg_options_argument,
    count_from,
    prepare_output_file,
)
from mmmoga.runtime import BACKENDS
from mmmoga.utils import tune_malloc


def parse_args():
    parser = ToolArgumentParser(
        description='Quantize a model for the CPU (INT8, or bfloat16 in '
        'OpenVINO), behind an accuracy gate')
    parser.add_argument('config', help='model config')
    parser.add_argument(
        'checkpoint', help='weights (plain or deployed), or the float model '
        'exported already (an .onnx of tools/export_onnx.py)')
    parser.add_argument(
        'out', help='the file to write: an .xml (with its .bin) for '
        'openvino, an .onnx for onnxruntime')
    parser.add_argument('--backend', choices=BACKENDS, required=True,
                        help='the runtime the model is quantized for')
    parser.add_argument('--precision', choices=PRECISIONS, default='int8',
                        help='int8 (default), or bf16 (OpenVINO)')
    parser.add_argument(
        '--calib-images', type=count_from(1), default=DEFAULT_CALIB_IMAGES,
        help='training images that calibrate the INT8 ranges (default '
        f'{DEFAULT_CALIB_IMAGES}, or the whole set where it is smaller)')
    parser.add_argument(
        '--val-images', type=count_from(1),
        help='evaluate on the first N validation images (default: all)')
    parser.add_argument(
        '--max-drop', type=float, default=DEFAULT_MAX_DROP,
        help='the most points any main metric may fall below float32 '
        f'(default {DEFAULT_MAX_DROP:g})')
    add_cfg_options_argument(parser)
    return parser.parse_args()


def _points(metrics) -> str:
    return ', '.join(f'{name} {value:.2f}' for name, value in metrics.items())


def main():
    args = parse_args()
    tune_malloc(True)
    prepare_output_file(args.out, 'OUT')
    cfg = load_config(args.config, args.cfg_options)
    quantized = quantize_model(
        cfg, args.checkpoint, args.out, args.backend,
        precision=args.precision, calib_images=args.calib_images,
        val_images=args.val_images, max_drop=args.max_drop)
    images = ('the whole validation set' if quantized.val_images is None
              else f'the first {quantized.val_images} validation images')
    print(f'float32 in {quantized.backend}: '
          f'{_points(quantized.float_metrics)} ({images})')
    for attempt in quantized.attempts:
        remedy = ('' if attempt.remedy in ('none', 'bfloat16') else
                  f', {attempt.remedy}')
        print(f'{quantized.precision.upper()}{remedy}: '
              f'{_points(attempt.metrics)}; drop '
              f'{_points(attempt.drops)}')
    if quantized.kept is None:
        raise refusal(quantized)
    kept = quantized.kept.remedy
    how = '' if kept in ('none', 'bfloat16') else f' (kept: {kept})'
    print(f'wrote {quantized.out}{how}: {quantized.precision.upper()} within '
          f'{quantized.max_drop:g} points of float32')


if __name__ == '__main__':
    report_errors(main)
