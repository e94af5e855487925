"""Backbone inference speed on this machine: images per second of MogaNet
and of MMPretrain's ConvNeXt-T, ResNet-50 and Swin-T, with glibc's default
malloc and with the tools' tuned one, and the ratios between them.

    python benchmarks/backbone_speed.py            # make bench runs this
    python benchmarks/backbone_speed.py --models moganet_s convnext_t --rounds 5

Every measurement is a fresh subprocess (the allocator setting is fixed for
a process's lifetime), started in turn with the others in each round, so
that all variants share the same minutes of machine time; a variant's
figure is the median over the rounds of the median of its timed runs.
Inference, eval mode, no_grad, batch 8 at 224x224 by default, the torch
thread count of the machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

MODELS = {
    'moganet_xt': dict(type='MogaNet', arch='xtiny', out_indices=(3, )),
    'moganet_t': dict(type='MogaNet', arch='tiny', out_indices=(3, )),
    'moganet_s': dict(type='MogaNet', arch='small', out_indices=(3, )),
    'moganet_b': dict(type='MogaNet', arch='base', out_indices=(3, )),
    'convnext_t': dict(type='ConvNeXt', arch='tiny'),
    'resnet50': dict(type='ResNet', depth=50),
    'swin_t': dict(type='SwinTransformer', arch='tiny', img_size=224),
}
# Which variants each model is measured in.
MALLOCS = {'moganet_xt': ('default', 'tuned'), 'moganet_t': ('default',
                                                             'tuned'),
           'moganet_s': ('default', 'tuned'), 'moganet_b': ('default',
                                                            'tuned'),
           'convnext_t': ('tuned', ), 'resnet50': ('tuned', ),
           'swin_t': ('tuned', )}


def worker(args):
    """Measures one model in this process and prints a JSON line."""
    from mmmoga.utils import tune_malloc
    allocator = tune_malloc(args.malloc == 'tuned')
    import torch
    from mmpretrain.registry import MODELS as PRETRAIN_MODELS
    from mmpretrain.utils import register_all_modules

    import mmmoga  # noqa: F401  (MogaNet, found through the root registry)
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    model = PRETRAIN_MODELS.build(MODELS[args.worker])
    model.eval()  # some backbones' train() returns None, so not chained
    inputs = torch.rand(args.batch, 3, args.size, args.size)
    times = []
    with torch.no_grad():
        for index in range(args.warmup + args.runs):
            start = time.perf_counter()
            model(inputs)
            if index >= args.warmup:
                times.append(time.perf_counter() - start)
    print(json.dumps(dict(img_s=args.batch / statistics.median(times),
                          allocator=allocator,
                          threads=torch.get_num_threads())))


def measure(model, malloc, args):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith('MALLOC_') and k != 'MMMOGA_DEFAULT_MALLOC'}
    command = [sys.executable, __file__, '--worker', model, '--malloc',
               malloc, '--batch', str(args.batch), '--size', str(args.size),
               '--runs', str(args.runs), '--warmup', str(args.warmup)]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f'{model} ({malloc}) failed:\n{result.stderr}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--models', nargs='+', default=list(MODELS),
                        choices=list(MODELS))
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--size', type=int, default=224)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--malloc', choices=['default', 'tuned'],
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    variants = [(m, a) for m in args.models for a in MALLOCS[m]]
    results = {v: [] for v in variants}
    threads = None
    for round_index in range(args.rounds):
        for model, malloc in variants:
            measured = measure(model, malloc, args)
            threads = measured['threads']
            results[(model, malloc)].append(measured['img_s'])
            print(f'round {round_index + 1}/{args.rounds} {model:<11} '
                  f'{malloc:<8} {measured["img_s"]:6.2f} img/s', flush=True)
    speed = {v: statistics.median(r) for v, r in results.items()}
    print(f'\nimg/s, batch {args.batch} at {args.size}x{args.size}, '
          f'{threads} threads, median of {args.rounds} rounds x '
          f'{args.runs} runs')
    print(f'{"model":<12}{"default malloc":>16}{"tuned malloc":>14}'
          f'{"tuned / default":>17}')
    for model in args.models:
        default = speed.get((model, 'default'))
        tuned = speed.get((model, 'tuned'))
        ratio = f'{tuned / default:.2f}x' if default and tuned else '-'
        default_text = f'{default:.2f}' if default else '-'
        tuned_text = f'{tuned:.2f}' if tuned else '-'
        print(f'{model:<12}{default_text:>16}{tuned_text:>14}{ratio:>17}')
    if ('moganet_s', 'tuned') in speed:
        print()
        for baseline in ('convnext_t', 'resnet50', 'swin_t'):
            if (baseline, 'tuned') in speed:
                ratio = speed[('moganet_s', 'tuned')] / speed[(baseline,
                                                                'tuned')]
                print(f'MogaNet-S / {baseline} (both tuned malloc): '
                      f'{ratio:.2f}x')
        if ('moganet_s', 'default') in speed:
            print('MogaNet-S tuned malloc / official formulation with the '
                  'default malloc: '
                  f"{speed[('moganet_s', 'tuned')] / speed[('moganet_s', 'default')]:.2f}x")


if __name__ == '__main__':
    main()
