"""Backbone inference speed on this machine: images per second of MogaNet
in each form against MMPretrain's ConvNeXt-T, ResNet-50 and Swin-T, and the
ratios between them.

    python benchmarks/backbone_speed.py            # make bench runs this
    python benchmarks/backbone_speed.py --models moganet_s convnext_t \
        --rounds 5

The forms of MogaNet:
  official     the plain model (the official formulation: same modules and
               ops) with glibc's default malloc
  plain        the same model with the tools' tuned malloc
  deploy       deploy mode (MogaNet.switch_to_deploy), tuned malloc
  compile      deploy mode through torch.compile (inductor, weights frozen)
  onnxruntime  the deploy-mode ONNX export in ONNX Runtime
  openvino     the same ONNX file in OpenVINO, float32
  openvino_bf16  the same file computed in bfloat16 (OpenVINO's default on
               CPUs that have it, as this machine kind's AMD EPYC; what
               tools/quantize.py --precision bf16 writes)
  onnxruntime_int8, openvino_int8  the file quantized to INT8 by
               tools/quantize.py's quantizers (no remedy; ranges calibrated
               on random images, which the speed does not depend on)
ResNet-50 is measured in the same runtimes and precisions (its export as
built), for the ratios at each precision. The other backbones run as built,
with the tuned malloc, like deploy mode.

Every measurement is a fresh subprocess (the allocator setting is fixed for
a process's lifetime), started in turn with the others in each round, so
that all variants share the same minutes of machine time; a variant's
figure is the median over the rounds of the median of its timed runs.
Inference, eval mode, no_grad, batch 8 at 224x224 by default, the torch
thread count of the machine (ONNX Runtime and OpenVINO get the same count).
The ONNX file is exported once, before the rounds; compiling happens inside
each compile worker before its timed runs.
"""
import argparse
import os.path as osp
import statistics
import subprocess
import sys
import tempfile

from common import Countdown, add_round_arguments, report, run_worker

MODELS = {
    'moganet_xt': dict(type='MogaNet', arch='xtiny', out_indices=(3, )),
    'moganet_t': dict(type='MogaNet', arch='tiny', out_indices=(3, )),
    'moganet_s': dict(type='MogaNet', arch='small', out_indices=(3, )),
    'moganet_b': dict(type='MogaNet', arch='base', out_indices=(3, )),
    'convnext_t': dict(type='ConvNeXt', arch='tiny'),
    'resnet50': dict(type='ResNet', depth=50),
    'swin_t': dict(type='SwinTransformer', arch='tiny', img_size=224),
}
MOGANET_FORMS = ('official', 'plain', 'deploy')
# Which forms each model is measured in.
FORMS = {
    'moganet_xt': MOGANET_FORMS,
    'moganet_t': MOGANET_FORMS,
    'moganet_s': MOGANET_FORMS + ('compile', 'onnxruntime', 'onnxruntime_int8',
                                  'openvino', 'openvino_bf16',
                                  'openvino_int8'),
    'moganet_b': MOGANET_FORMS,
    'convnext_t': ('plain', ),
    'resnet50': ('plain', 'onnxruntime', 'onnxruntime_int8', 'openvino',
                 'openvino_bf16', 'openvino_int8'),
    'swin_t': ('plain', ),
}
ONNX_FORMS = ('onnxruntime', 'onnxruntime_int8', 'openvino', 'openvino_bf16',
              'openvino_int8')
BASELINES = ('convnext_t', 'resnet50', 'swin_t')


def build_backbone(name, deploy):
    import torch
    from mmpretrain.registry import MODELS as PRETRAIN_MODELS
    from mmpretrain.utils import register_all_modules

    import mmmoga  # noqa: F401  (MogaNet, found through the root registry)
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    model = PRETRAIN_MODELS.build(MODELS[name])
    model.eval()  # some backbones' train() returns None, so not chained
    if deploy:
        model.switch_to_deploy()
    return model


def onnx_runner(form, path, threads):
    """A callable running the exported file of ``form`` at ``path`` (the
    float ONNX file's; an INT8 form runs its INT8 file) on a numpy batch."""
    if form.endswith('_int8'):
        path = int8_path(path, form.split('_')[0])
    if form.startswith('onnxruntime'):
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            path, options, providers=['CPUExecutionProvider'])
        return lambda batch: session.run(None, {'image': batch})
    import openvino
    precision = 'bf16' if form == 'openvino_bf16' else 'f32'
    compiled = openvino.Core().compile_model(
        path, 'CPU', {'INFERENCE_NUM_THREADS': threads,
                      'INFERENCE_PRECISION_HINT': precision})
    request = compiled.create_infer_request()
    return lambda batch: request.infer({0: batch})


def worker(args):
    """Measures one model in one form in this process; prints a JSON line."""
    from mmmoga.utils import tune_malloc
    allocator = tune_malloc(args.form != 'official')
    import torch
    threads = torch.get_num_threads()
    inputs = torch.rand(args.batch, 3, args.size, args.size)
    if args.form in ONNX_FORMS:
        run_once = onnx_runner(args.form, args.onnx, threads)
        batch = inputs.numpy()

        def forward():
            run_once(batch)
    else:
        model = build_backbone(args.worker,
                               deploy=args.form in ('deploy', 'compile'))
        if args.form == 'compile':
            import torch._inductor.config as inductor_config

            # Constant-folds the weights into the graph (inference only).
            inductor_config.freezing = True
            model = torch.compile(model)

        def forward():
            with torch.no_grad():
                model(inputs)

    from mmmoga.utils import median_seconds
    seconds, _ = median_seconds(forward, args.warmup, args.runs)
    report(dict(img_s=args.batch / seconds, allocator=allocator,
                threads=threads))


def int8_path(onnx_path, backend):
    """The INT8 file of the float ONNX file ``onnx_path`` for
    ``backend``."""
    return osp.splitext(onnx_path)[0] + ('_int8.onnx' if backend ==
                                         'onnxruntime' else '_int8.xml')


def export_onnx(model_name, path, size, batch):
    """Exports ``model_name`` (a MogaNet in deploy mode) to ``path`` and
    quantizes it to INT8 for both runtimes beside it (in a subprocess, so
    that the exporter's memory does not stay in this one)."""
    code = (
        'import sys\n'
        f'sys.path.insert(0, {osp.dirname(osp.abspath(__file__))!r})\n'
        'import numpy as np\n'
        'from backbone_speed import build_backbone, int8_path\n'
        'from mmmoga.apis.export import export_graph\n'
        'from mmmoga.apis.quantization.backends import (\n'
        '    Scheme, quantize_with_onnxruntime, quantize_with_openvino)\n'
        f'name = {model_name!r}\n'
        "model = build_backbone(name, deploy=name.startswith('moganet'))\n"
        "names = [f'stage{i}' for i in model.out_indices]\n"
        f'export_graph(model, names, 3, ({size}, {size}), '
        f'dynamic_size=False, path={path!r})\n'
        'rng = np.random.default_rng(0)\n'
        f'inputs = [dict(image=rng.standard_normal(({batch}, 3, {size}, '
        f'{size})).astype(np.float32)) for _ in range(2)]\n'
        "scheme = Scheme('none', calib_images=len(inputs))\n"
        f"quantize_with_onnxruntime({path!r}, int8_path({path!r}, "
        "'onnxruntime'), inputs, scheme)\n"
        f"quantize_with_openvino({path!r}, int8_path({path!r}, "
        "'openvino'), inputs, scheme)\n")
    result = subprocess.run([sys.executable, '-c', code],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f'exporting {model_name} to ONNX failed:\n'
                         f'{result.stderr[-3000:]}')


def measure(model, form, args, onnx_path):
    worker_args = ['--worker', model, '--form', form, '--batch', args.batch,
                   '--size', args.size, '--runs', args.runs, '--warmup',
                   args.warmup]
    if form in ONNX_FORMS:
        worker_args += ['--onnx', onnx_path]
    return run_worker(__file__, worker_args)


def print_table(speed, args, threads):
    print(f'\nimg/s, batch {args.batch} at {args.size}x{args.size}, '
          f'{threads} threads, median of {args.rounds} rounds x '
          f'{args.runs} runs')
    forms = [f for f in ('official', 'plain', 'deploy', 'compile',
                         *ONNX_FORMS)
             if any((m, f) in speed for m in args.models)]
    print(f'{"model":<12}' + ''.join(f'{f:>17}' for f in forms))
    for model in args.models:
        print(f'{model:<12}' + ''.join(
            f'{speed[(model, f)]:>17.2f}' if (model, f) in speed else
            f'{"-":>17}' for f in forms))
    print('(official: default malloc; every other column: tuned malloc)')


def ratio_lines(speed):
    """(description, ratio, target) for every ratio the runs allow."""
    lines = []

    def add(text, numerator, denominator, target=''):
        if numerator in speed and denominator in speed:
            lines.append((text, speed[numerator] / speed[denominator],
                          target))

    for model in MODELS:
        if not model.startswith('moganet'):
            continue
        name = 'MogaNet-' + model.split('_')[1].upper()
        add(f'{name} deploy / official', (model, 'deploy'),
            (model, 'official'), '>= 2.0x' if model == 'moganet_s' else '')
        add(f'{name} deploy / plain (both tuned malloc)', (model, 'deploy'),
            (model, 'plain'))
        add(f'{name} plain tuned / default malloc', (model, 'plain'),
            (model, 'official'))
    for baseline in BASELINES:
        add(f'MogaNet-S deploy / {baseline}', ('moganet_s', 'deploy'),
            (baseline, 'plain'),
            '>= 1.0x (floor 0.8x)' if baseline == 'convnext_t' else '')
    for form in ('compile', 'onnxruntime', 'openvino'):
        add(f'MogaNet-S {form} / deploy', ('moganet_s', form),
            ('moganet_s', 'deploy'))
    # Lower precision against float32 in the same runtime, and MogaNet-S
    # against ResNet-50 at each precision.
    for model, name in (('moganet_s', 'MogaNet-S'), ('resnet50', 'ResNet-50')):
        for form, base, target in (
                ('openvino_int8', 'openvino', '>= 2.0x'),
                ('openvino_bf16', 'openvino', ''),
                ('onnxruntime_int8', 'onnxruntime', '')):
            add(f'{name} {form} / {base}', (model, form), (model, base),
                target if model == 'moganet_s' else '')
    for form in ONNX_FORMS:
        target = ('no lower than openvino\'s (aim >= 1.0x)'
                  if form == 'openvino_int8' else '')
        add(f'MogaNet-S / resnet50, {form}', ('moganet_s', form),
            ('resnet50', form), target)
    best = max((f for f in ('deploy', 'compile', 'onnxruntime', 'openvino')
                if ('moganet_s', f) in speed),
               key=lambda f: speed[('moganet_s', f)], default=None)
    if best and best != 'deploy':
        add(f'MogaNet-S {best} (fastest) / convnext_t', ('moganet_s', best),
            ('convnext_t', 'plain'))
        add(f'MogaNet-S {best} (fastest) / official', ('moganet_s', best),
            ('moganet_s', 'official'))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--models', nargs='+', default=list(MODELS),
                        choices=list(MODELS))
    parser.add_argument(
        '--forms', nargs='+', default=None,
        choices=['official', 'plain', 'deploy', 'compile', *ONNX_FORMS],
        help='measure only these forms (default: every form of each model)')
    add_round_arguments(parser)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--form', help=argparse.SUPPRESS)
    parser.add_argument('--onnx', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    variants = [(m, f) for m in args.models for f in FORMS[m]
                if args.forms is None or f in args.forms]
    results = {v: [] for v in variants}
    threads = None
    with tempfile.TemporaryDirectory() as tmp:
        onnx_paths = {model: osp.join(tmp, f'{model}.onnx')
                      for model in args.models}
        for model in args.models:
            if any(m == model and f in ONNX_FORMS for m, f in variants):
                export_onnx(model, onnx_paths[model], args.size, args.batch)
        countdown = Countdown(args.rounds * len(variants))
        for round_index in range(args.rounds):
            for model, form in variants:
                measured = measure(model, form, args, onnx_paths[model])
                threads = measured['threads']
                results[(model, form)].append(measured['img_s'])
                print(f'{countdown.tick()} round {round_index + 1}/'
                      f'{args.rounds} {model:<11} '
                      f'{form:<12} {measured["img_s"]:6.2f} img/s '
                      f'({measured["allocator"]})', flush=True)
    speed = {v: statistics.median(r) for v, r in results.items()}
    print_table(speed, args, threads)
    print()
    for text, ratio, target in ratio_lines(speed):
        print(f'{text:<52}{ratio:6.2f}x' +
              (f'   target {target}' if target else ''))


if __name__ == '__main__':
    main()
