"""What the analysis tools (tools/analysis/) and the zoo tables compute: the
model they look at (``analysed_model``), parameters, FLOPs and speed
(``complexity``), class activation maps (``cam``) and the multi-order
interaction strength (``interaction``).

Imports :mod:`mmmoga.apis.run` and the layers below :mod:`mmmoga.apis`; no
other room of it."""
from .analysed_model import add_analysis_arguments, analysis_model
from .complexity import (
    count_complexity,
    counted_size,
    input_size,
    measure_speed,
)

__all__ = ['add_analysis_arguments', 'analysis_model', 'count_complexity',
           'counted_size', 'input_size', 'measure_speed']
