"""Progress of the tools' long steps: a bar with how many items are done,
the time spent and an estimate of the time left, drawn with rich (which
MMEngine depends on and its inferencers draw with). On a terminal the bar
moves; in a log it is written once, when the step ends."""
import time
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, Optional, TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Item = TypeVar('Item')


def tracked(items: Iterable[Item], description: str,
            total: Optional[int] = None,
            label: Optional[Callable[[Item], str]] = None) -> Iterator[Item]:
    """Yields ``items`` while a bar named ``description`` counts them
    (``total``: how many there are, where ``items`` has no length; None
    there: a count without an end, as of a camera's frames); ``label``
    names the item at work after the bar."""
    if total is None and hasattr(items, '__len__'):
        total = len(items)
    progress = Progress(
        TextColumn('{task.description}'), BarColumn(), MofNCompleteColumn(),
        TextColumn('elapsed'), TimeElapsedColumn(), TextColumn('left'),
        TimeRemainingColumn(), TextColumn('{task.fields[item]}'))
    with progress:
        task = progress.add_task(description, total=total, item='')
        for item in items:
            if label is not None:
                progress.update(task, item=label(item))
            yield item
            progress.advance(task)


@contextmanager
def step(description: str):
    """Says that a step that counts nothing (tracing a model, say) starts,
    and when it ends how long it took: ``description ... done in 12.3 s``."""
    print(f'{description} ...', flush=True)
    start = time.perf_counter()
    yield
    print(f'{description}: done in {time.perf_counter() - start:.1f} s',
          flush=True)
