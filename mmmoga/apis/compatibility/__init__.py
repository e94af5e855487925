"""Which stack of OpenMMLab libraries this interpreter has, and what each
task does on it: the toy demos trained, tested, exported and their ONNX
models tested (``tools/compatibility.py``, docs/installation.md)."""
from .stacks import (
    COMPATIBILITY_SECTION,
    check_stack,
    compatibility_table,
    load_stack_results,
    run_stack,
    save_stack_result,
    stack_name,
)

__all__ = [
    'COMPATIBILITY_SECTION', 'check_stack', 'compatibility_table',
    'load_stack_results', 'run_stack', 'save_stack_result', 'stack_name'
]
