"""The one timed loop behind every speed figure: tools/analysis/benchmark.py,
the zoo tables' speed columns and the scripts of benchmarks/."""
import statistics
import time
from typing import Any, Callable, Optional, Tuple

import torch

from .progress import tracked


def median_seconds(step: Callable[[], Any], warmup: int, runs: int,
                   synchronize: Optional[Callable[[], None]] = None,
                   progress: Optional[str] = None) -> Tuple[float, Any]:
    """Median seconds of ``runs`` calls of ``step()`` after ``warmup``
    untimed ones, without gradients, and the last call's result.
    ``synchronize`` (e.g. ``torch.cuda.synchronize``) runs before and after
    each call, so that a device's queued work is timed too. With a
    ``progress`` description, a bar of that name counts the calls."""
    if runs < 1:
        raise ValueError(f'runs must be at least 1, got {runs}')
    times, result = [], None
    with torch.no_grad():
        calls = range(warmup + runs)
        for index in (tracked(calls, progress) if progress else calls):
            if synchronize is not None:
                synchronize()
            start = time.perf_counter()
            result = step()
            if synchronize is not None:
                synchronize()
            if index >= warmup:
                times.append(time.perf_counter() - start)
    return statistics.median(times), result
