"""The model-zoo tables of tools/zoo_table.py: one row per config, counted
and measured (by :mod:`mmmoga.apis.analysis.complexity`, as
tools/analysis/get_flops.py and benchmark.py count and measure), set beside
the published numbers, written as tables and plots.

Above :mod:`mmmoga.apis`: the tables build models the way the tools do."""
from mmmoga.model_index import Published, load_published

from .report import (
    read_csv,
    task_table,
    update_task_readmes,
    write_csv,
    write_outputs,
)
from .results import find_metrics
from .zoo import error_row, expand_configs, zoo_row, zoo_rows

__all__ = [
    'Published', 'load_published', 'read_csv', 'task_table',
    'update_task_readmes', 'write_csv', 'write_outputs', 'find_metrics',
    'zoo_row', 'zoo_rows', 'error_row', 'expand_configs'
]
