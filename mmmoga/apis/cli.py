"""What every tool shares around its ``main``: known mistakes become one
line, ``error: <message>``, and a non-zero exit, with no traceback."""
from typing import Callable

from mmmoga.datasets import bad_data_message
from mmmoga.errors import MmmogaError


def report_errors(main: Callable[[], object]):
    """Runs ``main``; an :class:`~mmmoga.errors.MmmogaError` exits with its
    message as one line (a bad-data error that a data loader worker raised
    carries the worker's traceback in its text: only its last line is
    kept)."""
    try:
        main()
    except MmmogaError as error:
        message = bad_data_message(error) or str(error)
        raise SystemExit(f'error: {message}') from None
