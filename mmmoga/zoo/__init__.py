"""The model-zoo tables of tools/zoo_table.py: params and FLOPs
counted, speed measured, published numbers, tables and plots."""
from mmmoga.model_index import MAIN_METRICS, Published, load_published

from .complexity import count_complexity, input_size, measure_speed
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
    'count_complexity', 'input_size', 'measure_speed', 'MAIN_METRICS',
    'Published', 'load_published', 'read_csv', 'task_table',
    'update_task_readmes', 'write_csv', 'write_outputs', 'find_metrics',
    'zoo_row', 'zoo_rows',
    'error_row', 'expand_configs'
]
