"""Metrics that our own runs left in their work dirs.

``tools/test.py`` (MMEngine's test loop) writes the final metrics of a run
to ``<work_dir>/<timestamp>/<timestamp>.json``; training logs every
validation to ``<work_dir>/<timestamp>/vis_data/scalars.json``. The newest
test result wins; otherwise the last validation of the newest training.
"""
import glob
import json
import os.path as osp
from typing import Dict, NamedTuple, Optional

from mmmoga.tasks import TASKS


class Measured(NamedTuple):
    metrics: Dict[str, float]
    source: str


def _as_metrics(logged: Dict, task: str) -> Dict[str, float]:
    return {name: round(float(logged[key]) * factor, 2)
            for name, (key, factor) in TASKS[task].metrics.items()
            if key in logged}


def _json_lines(path: str):
    with open(path) as file:
        for line in file:
            line = line.strip()
            if line:
                yield json.loads(line)


def find_metrics(work_dir: str, task: str) -> Optional[Measured]:
    """The final metrics of the runs in ``work_dir``, or None."""
    if not osp.isdir(work_dir):
        return None
    runs = sorted(glob.glob(osp.join(work_dir, '[0-9]*_[0-9]*')),
                  reverse=True)
    for run in runs:  # the newest test first
        result = osp.join(run, osp.basename(run) + '.json')
        if osp.isfile(result):
            for logged in _json_lines(result):
                metrics = _as_metrics(logged, task)
                if metrics:
                    return Measured(metrics, result)
    for run in runs:
        scalars = osp.join(run, 'vis_data', 'scalars.json')
        if not osp.isfile(scalars):
            continue
        last = None
        for logged in _json_lines(scalars):
            metrics = _as_metrics(logged, task)
            if metrics:
                last = metrics
        if last:
            return Measured(last, scalars)
    return None
