"""Rows of the model-zoo table and what is made of them: table.md,
table.csv, plots, and the zoo table of configs/<task>/README.md."""
import csv
import json
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

from mmmoga.tasks import TASKS
from mmmoga.utils.markdown import update_marked_file

SIZE_NAMES = {'xtiny': 'XT', 'tiny': 'T', 'small': 'S', 'base': 'B',
              'large': 'L', 'xlarge': 'XL'}
BASE_COLUMNS = [
    'task', 'config', 'method', 'backbone', 'schedule', 'input',
    'params_m', 'published_params_m', 'params_diff_pct', 'gflops',
    'published_gflops', 'gflops_diff_pct', 'gflops_mmcv_rules'
]
METRIC_NAMES = [m for task in TASKS.values() for m in task.main_metrics]
TAIL_COLUMNS = ['metrics_source', 'latency_ms', 'throughput', 'device',
                'threads', 'allocator', 'flops_by_operator',
                'mmcv_rules_by_kind', 'error']


def csv_columns() -> List[str]:
    metric_columns = []
    for name in dict.fromkeys(METRIC_NAMES):
        metric_columns += [f'published {name}', f'ours {name}']
    return BASE_COLUMNS + metric_columns + TAIL_COLUMNS


def diff_pct(ours: Optional[float], published: Optional[float]
             ) -> Optional[float]:
    if ours is None or published in (None, 0):
        return None
    return round(100 * (ours - published) / published, 2)


def write_csv(rows: Sequence[Dict], path: str):
    columns = csv_columns()
    with open(path, 'w', newline='') as file:
        writer = csv.DictWriter(file, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(row.get(k)) for k in columns})


def _cell(value):
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return '' if value is None else value


def read_csv(path: str) -> List[Dict]:
    """Rows as :func:`write_csv` wrote them, numbers as floats."""
    rows = []
    with open(path, newline='') as file:
        for raw in csv.DictReader(file):
            row = {}
            for key, value in raw.items():
                if value == '':
                    row[key] = None
                elif key in ('task', 'config', 'method', 'backbone',
                             'schedule', 'input', 'metrics_source', 'device',
                             'allocator', 'error'):
                    row[key] = value
                elif key in ('flops_by_operator', 'mmcv_rules_by_kind'):
                    row[key] = json.loads(value)
                else:
                    row[key] = float(value)
            rows.append(row)
    return rows


def _fmt(value, digits=2):
    if value is None:
        return '-'
    return f'{value:.{digits}f}'


def _fmt_published(value):
    """A published figure without float padding (0.8, 102.1, 25.0)."""
    if value is None:
        return '-'
    text = f'{value:g}'
    return text if '.' in text else text + '.0'


def _by_kind(kinds: Optional[Dict]) -> str:
    if not kinds:
        return ''
    return '(' + ', '.join(f'{k} {v:g}' for k, v in sorted(
        kinds.items(), key=lambda kv: -kv[1])) + ')'


def _fmt_diff(value):
    if value is None:
        return '-'
    return f'{value:+.1f}%'


def task_table(rows: Sequence[Dict], task: str, link_from: str = '.') -> str:
    """The markdown table of ``task``: ours beside the published numbers,
    one row per config, in zoo order. Config links are relative to the
    folder ``link_from`` (where the table is written, relative to the
    repository root, as the rows' config paths are)."""
    metrics = TASKS[task].main_metrics
    header = ['Method', 'Backbone', 'Schedule', 'Input', 'Params (M)',
              'published', 'Δ', 'FLOPs (G)', 'mmcv 1.x rules', 'published',
              'Δ']
    for name in metrics:
        header += [f'{name} published', f'{name} ours']
    header.append('Config')
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    for row in rows:
        if row['task'] != task:
            continue
        link = osp.relpath(row['config'], link_from)
        config = f"[{osp.basename(row['config'])}]({link})"
        if row.get('error'):
            cells = [row.get('method') or '-', row.get('backbone') or '-',
                     'error: ' + row['error'].replace('|', '/')]
            cells += [''] * (len(header) - 4) + [config]
            lines.append('| ' + ' | '.join(cells) + ' |')
            continue
        cells = [row['method'], row['backbone'], row['schedule'],
                 row['input'], _fmt(row['params_m']),
                 _fmt_published(row.get('published_params_m')),
                 _fmt_diff(row.get('params_diff_pct')), _fmt(row['gflops']),
                 _fmt(row.get('gflops_mmcv_rules')),
                 _fmt_published(row.get('published_gflops')),
                 _fmt_diff(row.get('gflops_diff_pct'))]
        for name in metrics:
            cells += [_fmt_published(row.get(f'published {name}')),
                      _fmt(row.get(f'ours {name}'), 1)]
        cells.append(config)
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def speed_table(rows: Sequence[Dict]) -> Optional[str]:
    timed = [r for r in rows if r.get('latency_ms') is not None]
    if not timed:
        return None
    lines = ['| Config | Input | Latency (ms) | Throughput (img/s) | Device '
             '| Threads | malloc |', '|---|---|---|---|---|---|---|']
    for row in timed:
        lines.append(
            f"| {osp.basename(row['config'])} | {row['input']} | "
            f"{row['latency_ms']:.1f} | {row['throughput']:.2f} | "
            f"{row['device']} | {int(row['threads'])} | "
            f"{row.get('allocator') or '-'} |")
    return '\n'.join(lines)


def markdown(rows: Sequence[Dict], plots: Dict[str, List[str]],
             image_root: str = '', link_from: str = '.') -> str:
    """table.md: one section per task with its table and plots."""
    parts = ['# MogaNet model zoo (generated by tools/zoo_table.py)',
             '']
    for task in TASKS:
        if not any(r['task'] == task for r in rows):
            continue
        parts += [f'## {TASKS[task].title}', '',
                  task_table(rows, task, link_from), '']
        for plot in plots.get(task, []):
            parts += [f'![{task}]({osp.join(image_root, plot)})', '']
    differing = [r for r in rows if any(
        abs(r.get(k) or 0) > 1
        for k in ('params_diff_pct', 'gflops_diff_pct'))]
    if differing:
        parts += ['## Params or FLOPs more than 1% off the published ones', '']
        for row in differing:
            parts.append(
                f"- {osp.basename(row['config'])}: params "
                f"{_fmt(row['params_m'])} M vs "
                f"{_fmt_published(row.get('published_params_m'))} "
                f"({_fmt_diff(row.get('params_diff_pct'))}), FLOPs "
                f"{_fmt(row['gflops'])} G vs "
                f"{_fmt_published(row.get('published_gflops'))} "
                f"({_fmt_diff(row.get('gflops_diff_pct'))}); by mmcv 1.x's "
                f"rules {_fmt(row.get('gflops_mmcv_rules'))} G "
                f"{_by_kind(row.get('mmcv_rules_by_kind'))}")
        parts.append('')
    speeds = speed_table(rows)
    if speeds:
        parts += ['## Speed', '', speeds, '']
    sources = [(osp.basename(r['config']), r['metrics_source'])
               for r in rows if r.get('metrics_source')]
    if sources:
        parts += ['Our metrics come from:', '']
        parts += [f'- {name}: `{source}`' for name, source in sources]
        parts.append('')
    return '\n'.join(parts)


# --------------------------------------------------------------------------
# The zoo table of each task in configs/<task>/README.md
# --------------------------------------------------------------------------
def task_readme(repo: str, task: str) -> str:
    """The Markdown file that holds the zoo table of ``task``."""
    return osp.join(repo, 'configs', task, 'README.md')


def zoo_section(task: str) -> str:
    """Name of the marked section of ``task``'s zoo table."""
    return f'zoo-table:{task}'


def task_readme_table(rows: Sequence[Dict], task: str) -> str:
    """The zoo table of ``task`` as its README shows it (links to the config
    files beside the README)."""
    return task_table(rows, task, link_from=osp.join('configs', task))


def update_task_readmes(repo: str, rows: Sequence[Dict]) -> List[str]:
    """Regenerates the zoo table of every task in its README; returns the
    files."""
    files = []
    for task in TASKS:
        path = task_readme(repo, task)
        update_marked_file(path, zoo_section(task),
                           task_readme_table(rows, task))
        files.append(path)
    return files


# --------------------------------------------------------------------------
# Plots
# --------------------------------------------------------------------------
def family_of(row: Dict) -> str:
    """What a config name says beside the method and size, e.g.
    ``giou_4conv1f_ms3x`` or ``in1k_256``: one plotted line per family."""
    name = osp.splitext(osp.basename(row['config']))[0]
    match = re.search(r'_(xt|t|s|b|l|xl)(_|$)', name)
    return name[match.end():] if match else name


def plot_task(rows: Sequence[Dict], task: str, out_dir: str) -> List[str]:
    """Published main metric against GFLOPs and against params, one line
    per method; our measured points as stars. Returns the file names."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib import ticker
    metric = TASKS[task].main_metrics[0]
    task_rows = [r for r in rows if r['task'] == task and not r.get('error')]
    if not task_rows:
        return []
    figure, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    families = dict.fromkeys(family_of(r) for r in task_rows)
    for axis, (x_key, x_label) in zip(
            axes, [('gflops', 'GFLOPs (ours, counted)'),
                   ('params_m', 'Params (M)')]):
        for family in families:
            series = sorted(
                (r[x_key], r[f'published {metric}'], r) for r in task_rows
                if family_of(r) == family and
                r.get(f'published {metric}') is not None)
            if not series:
                continue
            method = series[0][2]['method']
            label = f'{method} ({family})' if family else method
            axis.plot([s[0] for s in series], [s[1] for s in series],
                      marker='o', label=label)
            for x, y, row in series:
                axis.annotate(row['backbone'].replace('MogaNet-', ''),
                              (x, y), textcoords='offset points',
                              xytext=(3, 3), fontsize=7)
            ours = [(r[x_key], r[f'ours {metric}']) for r in task_rows
                    if family_of(r) == family and
                    r.get(f'ours {metric}') is not None]
            if ours:
                axis.scatter(*zip(*ours), marker='*', s=120, zorder=5,
                             label=f'{label}, ours (measured)')
        axis.set_xscale('log')
        axis.xaxis.set_major_formatter(ticker.FormatStrFormatter('%g'))
        axis.xaxis.set_minor_locator(ticker.LogLocator(subs=(2., 5.)))
        axis.xaxis.set_minor_formatter(ticker.FormatStrFormatter('%g'))
        axis.tick_params(axis='x', which='minor', labelsize=7)
        axis.set_xlabel(x_label)
        axis.set_ylabel(f'{metric} (published)')
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    figure.suptitle(f'{TASKS[task].title}: published {metric}')
    figure.tight_layout()
    name = f'{task}_accuracy.png'
    figure.savefig(osp.join(out_dir, name), dpi=110)
    plt.close(figure)
    return [name]


def plot_speed(rows: Sequence[Dict], out_dir: str) -> List[str]:
    """Throughput against the published main metric, one panel per task."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    timed = [r for r in rows if r.get('throughput') is not None]
    tasks = [t for t in TASKS if any(r['task'] == t for r in timed)]
    if not tasks:
        return []
    figure, axes = plt.subplots(1, len(tasks), figsize=(5 * len(tasks), 4),
                                squeeze=False)
    for axis, task in zip(axes[0], tasks):
        metric = TASKS[task].main_metrics[0]
        for row in (r for r in timed if r['task'] == task):
            y = row.get(f'published {metric}')
            if y is None:
                continue
            axis.scatter(row['throughput'], y)
            axis.annotate(osp.basename(row['config'])[:-3],
                          (row['throughput'], y), fontsize=6)
        axis.set_xlabel(f"images/s ({timed[0]['device']})")
        axis.set_ylabel(f'{metric} (published)')
        axis.set_title(TASKS[task].title, fontsize=9)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(osp.join(out_dir, 'speed.png'), dpi=110)
    plt.close(figure)
    return ['speed.png']


def write_outputs(rows: Sequence[Dict], out_dir: str) -> Dict[str, str]:
    os.makedirs(out_dir, exist_ok=True)
    write_csv(rows, osp.join(out_dir, 'table.csv'))
    plots = {task: plot_task(rows, task, out_dir) for task in TASKS}
    speed = plot_speed(rows, out_dir)
    if speed:
        plots.setdefault('speed', speed)
    with open(osp.join(out_dir, 'table.md'), 'w') as file:
        file.write(markdown(rows, plots, link_from=out_dir))
    return dict(csv=osp.join(out_dir, 'table.csv'),
                md=osp.join(out_dir, 'table.md'))
