"""glibc malloc tuned for PyTorch on the CPU.

By default glibc serves every allocation above a dynamic threshold (128 KiB
to 32 MiB) with a fresh ``mmap`` and gives it back with ``munmap``, and it
trims the top of the heap as soon as 128 KiB are free there. A CPU forward
pass allocates and frees many large intermediate tensors (MogaNet's FFN
widens 8x in stages 1-2), so each of them page-faults its memory in anew.
Raising both thresholds to 1 GiB keeps freed blocks in the heap for reuse;
docs/performance.md gives what that is worth for MogaNet inference (the
"official" against the "plain" column of the backbone speed table). The
cost is a process that holds on to its peak heap instead of returning it
to the system between iterations.

The same effect is available to any process without this module:
``MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=1073741824``
in the environment (read by glibc at start-up), or jemalloc / tcmalloc
through ``LD_PRELOAD``.
"""
import ctypes
import os
import platform

# mallopt(3) parameters and the value the tools use for both.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
TUNED_THRESHOLD = 1 << 30
ENV_VARIABLES = ('MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_')
OPT_OUT_VARIABLE = 'MMMOGA_DEFAULT_MALLOC'


def tune_malloc(enable: bool = True) -> str:
    """Raises glibc's mmap and trim thresholds of this process to 1 GiB.

    Applies to allocations made from now on, in this process and in the
    processes it forks (data loader workers). Nothing is changed when
    ``enable`` is False, when ``MMMOGA_DEFAULT_MALLOC=1`` is set, when the
    user set either threshold in the environment already, or off glibc.

    Returns:
        str: What the process runs with, for logs and benchmark tables.
    """
    if not enable or os.environ.get(OPT_OUT_VARIABLE) == '1':
        return 'glibc default'
    if any(name in os.environ for name in ENV_VARIABLES):
        return 'from the environment (' + ', '.join(
            f'{n}={os.environ[n]}' for n in ENV_VARIABLES
            if n in os.environ) + ')'
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return 'system default (not glibc)'
    libc = ctypes.CDLL('libc.so.6')
    for parameter in (M_MMAP_THRESHOLD, M_TRIM_THRESHOLD):
        if libc.mallopt(parameter, TUNED_THRESHOLD) != 1:
            raise OSError(f'mallopt({parameter}, {TUNED_THRESHOLD}) failed')
    return 'tuned (mmap/trim thresholds 1 GiB)'


def add_allocator_argument(parser):
    """Adds the tools' ``--default-malloc`` switch."""
    parser.add_argument(
        '--default-malloc', action='store_true',
        help="keep glibc's default malloc thresholds instead of the tuned "
        'ones (same as MMMOGA_DEFAULT_MALLOC=1); see mmmoga/utils/'
        'allocator.py')
