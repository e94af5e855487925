"""What the tools' console shows of MMEngine's log: the run's progress and
results first. The environment, the config and the order of the hooks go
to the log file in the work dir (and to the console with ``--verbose``);
the optimizer constructors' line per parameter is left out of both unless
``--verbose``; the log messages in :data:`HARMLESS_LOG_MESSAGES` are left
out everywhere.

MMEngine logs all of these at INFO or WARNING, as it logs progress, and has
no setting that separates them, so they are told apart by how their
messages start: a filter on the handlers of the tools' MMLogger
(:func:`quiet_logger`), which the Runner the tools build attaches
(:func:`mmmoga.engine.build_runner`)."""
import logging
import re
from typing import Sequence

from mmengine.logging import MMLogger

# Records that describe the run rather than report on it (mmengine's
# Runner logs them while it is built and before it starts).
RUN_DESCRIPTION = (
    r'\n-+\nSystem environment:',  # Runner._log_env
    r'Config:\n',
    r'Hooks will be executed in the following order:',
    r'Distributed training is not used, all SyncBatchNorm',
)

# mmengine's, MMSegmentation's and MMPose's optimizer constructors log one
# line per parameter that a paramwise setting touches: hundreds of lines
# for what the config says in a few.
PER_PARAMETER = (r'paramwise_options -- ', )

# Log messages that say nothing a user can act on, and why.
HARMLESS_LOG_MESSAGES = {
    r'Failed to search registry with scope "\w+" in the "function" registry':
    "The task libraries' inferencers look up their collate function in "
    'their own scope, which has no function registry; the function is '
    "mmengine's, found in mmengine's registry as the warning says.",
    r'The prefix is not set in metric class IoUMetric':
    "MMSegmentation's IoUMetric logs its keys without a prefix (mIoU, not "
    'seg/mIoU), which the tools and the tables expect.',
}


class DroppedRecords(logging.Filter):
    """Drops the records whose message starts with one of ``patterns``
    (regular expressions)."""

    def __init__(self, patterns: Sequence[str]):
        super().__init__()
        self.pattern = re.compile('|'.join(f'(?:{p})' for p in patterns))

    def filter(self, record: logging.LogRecord) -> bool:
        return self.pattern.match(record.getMessage()) is None


def quiet_logger(logger: logging.Logger, verbose: bool = False):
    """Adds mmmoga's filters to the handlers of ``logger`` (an MMLogger):
    the console leaves out :data:`RUN_DESCRIPTION` unless ``verbose``,
    every handler :data:`PER_PARAMETER` unless ``verbose`` and
    :data:`HARMLESS_LOG_MESSAGES` always. Adding them twice changes
    nothing."""
    for handler in logger.handlers:
        if any(isinstance(f, DroppedRecords) for f in handler.filters):
            continue
        dropped = list(HARMLESS_LOG_MESSAGES)
        if not verbose:
            dropped += PER_PARAMETER
            # A FileHandler is a StreamHandler too: the file keeps all.
            if not isinstance(handler, logging.FileHandler):
                dropped += RUN_DESCRIPTION
        handler.addFilter(DroppedRecords(dropped))


def quiet_current_logger():
    """:func:`quiet_logger` on MMEngine's current logger, the one the
    inferencers log to when no Runner is built."""
    quiet_logger(MMLogger.get_current_instance())


class QuietRunnerLogging:
    """Mixed into the Runner class the tools build: its logger gets
    :func:`quiet_logger` (``verbose`` is set on the class)."""
    verbose = False

    def build_logger(self, *args, **kwargs) -> MMLogger:
        logger = super().build_logger(*args, **kwargs)
        quiet_logger(logger, self.verbose)
        return logger
