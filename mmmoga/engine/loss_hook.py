"""The non-finite loss stop that every tool run has."""
import math

from mmengine.hooks import Hook
from mmengine.registry import HOOKS

from mmmoga.errors import NonFiniteLossError


@HOOKS.register_module()
class NonFiniteLossHook(Hook):
    """Stops training at the first iteration whose loss is NaN or infinite,
    naming the iteration and every non-finite loss term.

    Unlike mmdet's ``CheckInvalidLossHook`` it checks every iteration and
    every task's losses, and it runs before the other hooks of the
    iteration (``VERY_HIGH``), so an iteration-based ``CheckpointHook`` never
    saves the weights that the bad step has just updated; an epoch-based one
    saves only after the epoch's last iteration. The tools add it to every
    run (``mmmoga.engine.build_runner``).
    """
    priority = 'VERY_HIGH'

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        bad = []
        for name, value in (outputs or {}).items():
            number = float(value.detach().float().mean()) if hasattr(
                value, 'detach') else float(value)
            if not math.isfinite(number):
                bad.append(f'{name}={number}')
        if bad:
            last = runner.message_hub.get_info('last_ckpt')
            raise NonFiniteLossError(
                f'non-finite loss at iteration {runner.iter + 1} (epoch '
                f'{runner.epoch + 1}): {", ".join(bad)}; training stopped '
                'before anything was saved from this iteration'
                + (f'; the last checkpoint is {last}' if last else ''))
