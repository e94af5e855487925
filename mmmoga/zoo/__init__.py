"""The model-zoo tables of tools/zoo_table.py: params and FLOPs
counted, speed measured, published numbers, tables and plots; the same
counting and timing serve tools/analysis/get_flops.py and benchmark.py."""
from mmmoga.model_index import MAIN_METRICS, Published, load_published

from .complexity import (
    count_complexity,
    counted_size,
    input_size,
    measure_speed,
)
from .report import (
    read_csv,
    task_table,
    update_task_readmes,
    write_csv,
    write_outputs,
)
from .results import find_metrics
from .zoo import (
    INPUT_ORDER,
    ModelComplexity,
    error_row,
    expand_configs,
    input_label,
    model_complexity,
    task_of,
    zoo_row,
    zoo_rows,
)

__all__ = [
    'count_complexity', 'input_size', 'measure_speed', 'MAIN_METRICS',
    'Published', 'load_published', 'read_csv', 'task_table',
    'update_task_readmes', 'write_csv', 'write_outputs', 'find_metrics',
    'zoo_row', 'zoo_rows',
    'error_row', 'expand_configs', 'ModelComplexity', 'model_complexity',
    'task_of', 'counted_size', 'INPUT_ORDER', 'input_label'
]
