"""The model-zoo tables of tools/benchmark_table.py."""
from .complexity import count_complexity, input_size, measure_speed
from .published import MAIN_METRICS, Published, load_published
from .report import (read_csv, task_table, update_readme, write_csv,
                     write_outputs)
from .results import find_metrics
from .zoo import benchmark_config, error_row, expand_configs

__all__ = [
    'count_complexity', 'input_size', 'measure_speed', 'MAIN_METRICS',
    'Published', 'load_published', 'read_csv', 'task_table', 'update_readme',
    'write_csv', 'write_outputs', 'find_metrics', 'benchmark_config',
    'error_row', 'expand_configs'
]
