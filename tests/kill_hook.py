"""A hook that kills its own training process with SIGKILL, for the resume
tests: imported by a tool run through
``custom_imports=dict(imports=['mmmoga', 'kill_hook'])`` with ``tests/`` on
PYTHONPATH."""
import os
import signal

from mmengine.hooks import Hook
from mmengine.registry import HOOKS


@HOOKS.register_module()
class KillAtIteration(Hook):
    """Kills the process group of the run (the training process and its
    data-loader workers) with SIGKILL as iteration ``iteration + 1`` starts,
    i.e. once ``iteration`` iterations are done: no handler, no clean-up,
    as a scheduler pre-empting the job does. Run the tool in a process
    group of its own.

    (Killing only the training process leaves its workers hanging: torch's
    worker notices the dead parent but then waits for its result queue's
    feeder thread, blocked on a full pipe; with torch 2.13 here they never
    exit.)"""

    def __init__(self, iteration: int):
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration:
            os.killpg(os.getpgid(0), signal.SIGKILL)
