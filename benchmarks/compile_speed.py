"""When ``torch.compile`` pays for MogaNet on this machine: each case runs
eager and compiled (inductor) in fresh subprocesses, taking turns, and
prints the compile time (the first call, minus an eager call) and the
speed-up of the compiled steady state.

    python benchmarks/compile_speed.py
    python benchmarks/compile_speed.py --cases train_xt --rounds 1

The cases:
  infer_s        inference, deploy mode, MogaNet-S, batch 8 at 224x224
                 (the backbone benchmark's compile column)
  infer_s_large  inference, deploy mode, MogaNet-S, batch 1 at 800x800 (a
                 detector's or segmentor's input)
  train_xt       a training step (forward, backward, SGD), plain MogaNet-XT
                 with a linear head, batch 16 at 224x224
  train_s        the same for MogaNet-S, batch 8

The tuned malloc of the tools, torch's thread count of the machine; a
case's figure is the median over the rounds of the median of its timed
steps.
"""
import argparse
import statistics
import time

from common import Countdown, add_round_arguments, report, run_worker

CASES = {
    'infer_s': dict(arch='small', mode='infer', batch=8, size=224),
    'infer_s_large': dict(arch='small', mode='infer', batch=1, size=800),
    'train_xt': dict(arch='xtiny', mode='train', batch=16, size=224),
    'train_s': dict(arch='small', mode='train', batch=8, size=224),
}


def worker(args):
    from mmmoga.utils import tune_malloc
    tune_malloc()
    import torch

    from mmmoga.core import MogaNet, MogaNetClassifier
    case = CASES[args.worker]
    x = torch.randn(case['batch'], 3, case['size'], case['size'])
    if case['mode'] == 'infer':
        model = MogaNet(case['arch'], out_indices=(3, ), deploy=True)
        step_model = torch.compile(model) if args.compiled else model

        def step():
            with torch.no_grad():
                step_model(x)
    else:
        model = MogaNetClassifier(case['arch'], num_classes=1000).train()
        labels = torch.randint(0, 1000, (case['batch'], ))
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
        step_model = torch.compile(model) if args.compiled else model

        def step():
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(step_model(x), labels)
            loss.backward()
            optimizer.step()

    start = time.perf_counter()
    step()  # compiles when compiled
    first = time.perf_counter() - start
    for _ in range(args.warmup):
        step()
    seconds = []
    for _ in range(args.runs):
        start = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - start)
    report(dict(first=first, step=statistics.median(seconds)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--cases', nargs='+', choices=list(CASES),
                        default=list(CASES))
    add_round_arguments(parser, rounds=2, runs=5, warmup=2)
    parser.add_argument('--worker', help=argparse.SUPPRESS)
    parser.add_argument('--compiled', type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    results = {(case, compiled): []
               for case in args.cases for compiled in (0, 1)}
    countdown = Countdown(len(results) * args.rounds)
    for _ in range(args.rounds):
        for case, compiled in results:
            result = run_worker(__file__, [
                '--worker', case, '--compiled', compiled, '--runs',
                args.runs, '--warmup', args.warmup
            ])
            results[case, compiled].append(result)
            print(f'{countdown.tick()} {case} '
                  f'{"compiled" if compiled else "eager"}: step '
                  f'{result["step"] * 1000:.0f} ms', flush=True)
    print('\n| case | eager step | compiled step | speed-up | compile time |')
    print('|---|---|---|---|---|')
    for case in args.cases:
        eager = statistics.median(r['step'] for r in results[case, 0])
        compiled = statistics.median(r['step'] for r in results[case, 1])
        compile_time = statistics.median(
            r['first'] for r in results[case, 1]) - eager
        print(f'| {case} | {eager * 1000:.0f} ms | {compiled * 1000:.0f} ms '
              f'| {eager / compiled:.2f}x | {compile_time:.0f} s |')


if __name__ == '__main__':
    main()
