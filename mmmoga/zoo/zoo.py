"""One row of the model-zoo table per config: counted, measured and set
beside the published numbers."""
import glob
import os.path as osp
import platform
from typing import Dict, List, Optional, Sequence

import torch

from mmmoga.apis.analysis.complexity import (
    input_label,
    measure_speed,
    model_complexity,
)
from mmmoga.model_index import Published
from mmmoga.tasks import TASKS, task_of
from mmmoga.utils import tracked

from .report import SIZE_NAMES, diff_pct
from .results import find_metrics

DET_SCHEDULES = {12: '1x', 36: 'MS 3x'}


def expand_configs(patterns: Sequence[str], root: str) -> List[str]:
    """Config files (relative to ``root`` where inside it) from files,
    folders (searched recursively, ``_base_`` skipped) and globs."""
    found = []
    for pattern in patterns:
        path = pattern if osp.isabs(pattern) else osp.join(root, pattern)
        if osp.isdir(path):
            matches = sorted(glob.glob(osp.join(path, '**', '*.py'),
                                       recursive=True))
            matches = [m for m in matches if '/_base_/' not in m]
        else:
            matches = sorted(glob.glob(path)) or [path]
        for match in matches:
            relative = osp.relpath(match, root)
            found.append(match if relative.startswith('..') else relative)
    return list(dict.fromkeys(found))


def schedule_of(cfg, task: str) -> str:
    train_cfg = cfg.get('train_cfg') or {}
    if 'max_iters' in train_cfg:
        return f"{train_cfg['max_iters'] // 1000}k iters"
    epochs = train_cfg.get('max_epochs')
    if task == 'det' and epochs in DET_SCHEDULES:
        return DET_SCHEDULES[epochs]
    return f'{epochs} epochs' if epochs else '-'


def backbone_of(cfg) -> str:
    arch = cfg.model.backbone.get('arch')
    if isinstance(arch, str):
        return 'MogaNet-' + SIZE_NAMES.get(arch, arch)
    return 'MogaNet (custom)'


def device_name(device: str) -> str:
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(torch.device(device))
    try:
        with open('/proc/cpuinfo') as file:
            for line in file:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'CPU'


def zoo_row(config: str, root: str,
            published: Optional[Published],
            work_dirs: Optional[str] = None, speed: bool = False,
            device: str = 'cpu', speed_batch: int = 1,
            repeats: int = 5, allocator: str = '') -> Dict:
    """The row of ``config``; raises whatever building or counting
    raises (the caller turns that into an error row). ``allocator`` says
    which malloc setting the speed runs used."""
    from mmengine.config import Config

    from mmmoga.engine import build_config_model
    path = config if osp.isabs(config) else osp.join(root, config)
    cfg = Config.fromfile(path)
    task = task_of(cfg).name
    row = dict(task=task, config=config,
               method=published.collection if published else cfg.model.type,
               backbone=backbone_of(cfg), schedule=schedule_of(cfg, task))
    model = build_config_model(cfg)
    complexity = model_complexity(cfg, model)
    row['input'] = input_label(complexity.size, task)
    row['params_m'] = round(complexity.params / 1e6, 2)
    row['gflops'] = round(complexity.flops / 1e9, 2)
    row['flops_by_operator'] = {
        op: round(flops / 1e9, 3)
        for op, flops in complexity.flops_by_operator.items()}
    row['gflops_mmcv_rules'] = round(complexity.mmcv_flops / 1e9, 2)
    row['mmcv_rules_by_kind'] = {
        kind: round(flops / 1e9, 3)
        for kind, flops in complexity.mmcv_rules.items()}
    if published:
        if published.params:
            row['published_params_m'] = published.params / 1e6
        if published.flops:
            row['published_gflops'] = published.flops / 1e9
        for name in TASKS[task].main_metrics:
            row[f'published {name}'] = published.metrics.get(name)
    row['params_diff_pct'] = diff_pct(row['params_m'],
                                      row.get('published_params_m'))
    row['gflops_diff_pct'] = diff_pct(row['gflops'],
                                      row.get('published_gflops'))
    if work_dirs:
        name = osp.splitext(osp.basename(config))[0]
        measured = find_metrics(osp.join(work_dirs, name), task)
        if measured:
            for metric, value in measured.metrics.items():
                if metric in TASKS[task].main_metrics:
                    row[f'ours {metric}'] = value
            row['metrics_source'] = measured.source
    if speed:
        speeds = measure_speed(
            model, cfg, task, device=device, repeats=repeats,
            batch_size=1 if task == 'det' else speed_batch)
        row.update(latency_ms=round(speeds['latency_ms'], 2),
                   throughput=round(speeds['throughput'], 3),
                   device=device_name(device),
                   threads=torch.get_num_threads(), allocator=allocator)
    return row


def error_row(config: str, error: BaseException, task: Optional[str],
              published: Optional[Published]) -> Dict:
    message = str(error).strip().splitlines()
    message = message[0] if message else ''
    return dict(task=task or (published.task if published else '-'),
                config=config,
                method=published.collection if published else None,
                error=f'{type(error).__name__}: {message}'[:300])


def zoo_rows(configs: Sequence[str], root: str,
             published: Dict[str, Published], task: Optional[str] = None,
             **options) -> List[Dict]:
    """The row of each config (of ``task`` only, if given), with a progress
    bar; a config that cannot be built or counted becomes its error row.
    ``options`` are those of :func:`zoo_row` after ``published``."""
    rows = []
    for config in tracked(configs, 'zoo', label=osp.basename):
        entry = published.get(config)
        try:
            row = zoo_row(config, root, entry, **options)
        # One broken config must not stop the table: its row says why.
        except Exception as error:  # noqa: BLE001
            row = error_row(config, error, None, entry)
        if task is None or row.get('task') == task:
            rows.append(row)
    return rows
