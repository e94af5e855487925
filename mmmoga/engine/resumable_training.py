"""Training that continues after a kill exactly as if it had never stopped.

What mmengine 0.10.7 restores on ``resume``: the model, the optimizer, the
parameter schedulers, the message hub, and the epoch and iteration counters;
it seeds the process again with the configured seed. What it does not, and
what that costs:

* the random number generators: Python's ``random``, NumPy's global one and
  torch's carry on from a fresh seed, so drop path, RoI sampling, and random
  augmentation in a single-process data loader differ from the run that was
  killed;
* the place in the epoch: ``EpochBasedTrainLoop`` starts the epoch of a
  mid-epoch checkpoint again from its first batch, training those batches
  twice; ``IterBasedTrainLoop`` skips trained batches by loading and
  transforming every one of them again (hours on a large dataset);
* the data workers' random state: each worker is seeded when it starts, so
  the augmentation a sample gets depends on which worker loads it and on how
  much that worker has loaded before (with ``persistent_workers``, since the
  start of training). A resumed run's fresh workers draw other numbers.

Here each sample's random transforms are seeded from the sample's place in
training (sampler seed, rank, epoch, batch, position in the batch), so a
sample is augmented the same way whichever process loads it and whenever
(:class:`ResumableBatchSampler`, which tags the indices it yields with that
place as :class:`SampleIndex`; ``CheckedDataset`` seeds from it). Skipping
trained batches then only has to skip their indices. The loops
(:class:`ResumableEpochBasedTrainLoop`, :class:`ResumableIterBasedTrainLoop`)
resume in the middle of an epoch and keep validation and the creation of
data-loader iterators from drawing on the training random state, so that
nothing between saving a checkpoint and the next training step changes it;
:class:`ResumeStateHook` stores the random states and the place in the epoch
in every checkpoint and hands them to the loop on resume. The tools set all
of this up (``mmmoga.engine.build_runner``).
"""
from itertools import islice
from typing import Iterator, List, Optional, Tuple

import torch
from mmengine.dataset import InfiniteSampler
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.registry import DATA_SAMPLERS, HOOKS, LOOPS
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

# mmengine's own wrapper that restarts a finite data loader in an
# iteration-based loop; the resumed loop builds a new one.
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch.utils.data import BatchSampler

from mmmoga.utils.random_state import preserved_rng, rng_states, set_rng_states

RESUME_STATE_KEY = 'resume_state'


class SampleIndex(int):
    """A dataset index that also carries the place of its sample in training,
    ``(sampler seed, rank, epoch, batch, position in the batch)``."""

    def __new__(cls, index: int, place: Tuple[int, ...]):
        obj = super().__new__(cls, index)
        obj.place = place
        return obj

    def __reduce__(self):  # sent to data-loader workers by pickling
        return SampleIndex, (int(self), self.place)


@DATA_SAMPLERS.register_module()
class ResumableBatchSampler:
    """Batches as ``batch_sampler`` (default: torch's ``BatchSampler``) makes
    them, with each index tagged as a :class:`SampleIndex`, and able to
    start the next pass a number of batches in (:meth:`skip_next`) without
    loading them.

    Args:
        sampler: The data loader's sampler (given by mmengine).
        batch_size (int): The batch size (given by mmengine).
        batch_sampler (dict, optional): The batch sampler to wrap, e.g.
            mmdet's ``AspectRatioBatchSampler``; built with ``sampler`` and
            ``batch_size``.
        drop_last (bool): For the default batch sampler: drop the last
            incomplete batch. Defaults to False.
    """

    def __init__(self, sampler, batch_size: int,
                 batch_sampler: Optional[dict] = None,
                 drop_last: bool = False):
        if batch_sampler is None:
            self.batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        else:
            self.batch_sampler = DATA_SAMPLERS.build(
                batch_sampler,
                default_args=dict(sampler=sampler, batch_size=batch_size))
        self.sampler = sampler
        self.batch_size = batch_size
        # The samplers of mmengine hold the seed the runner gave them (or
        # one they drew from the seeded NumPy generator). The rank keeps the
        # processes of a distributed run from augmenting their samples at
        # the same place alike.
        self.seed = int(getattr(sampler, 'seed', 0) or 0)
        self.rank = get_rank()
        self._skip = 0

    def skip_next(self, batches: int):
        """Makes the next pass start after its first ``batches`` batches."""
        self._skip = batches

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __iter__(self) -> Iterator[List[SampleIndex]]:
        skip, self._skip = self._skip, 0
        epoch = int(getattr(self.sampler, 'epoch', 0))
        batches = islice(iter(self.batch_sampler), skip, None)
        for number, batch in enumerate(batches, start=skip):
            yield [
                SampleIndex(index,
                            (self.seed, self.rank, epoch, number, position))
                for position, index in enumerate(batch)
            ]


def _resumable_batch_sampler(loop) -> Optional[ResumableBatchSampler]:
    batch_sampler = getattr(loop.dataloader, 'batch_sampler', None)
    return (batch_sampler
            if isinstance(batch_sampler, ResumableBatchSampler) else None)


def _start_now(iterator):
    """Makes the data-loader iterator of mmengine's infinite wrapper now.

    A workaround: OneDL's mmengine (0.10.12) makes it on the first batch
    (upstream's 0.10.7 as the wrapper is made), so the base seed that torch
    draws for it would come from the training random state in the middle of
    training, a draw the uninterrupted run does not make at that point."""
    make = getattr(iterator, '_ensure_iterator', None)
    if make is not None:
        make()


class _ResumeMixin:
    """What both resumable loops share: the state a checkpoint records
    (:meth:`resume_state`) and taking it back (:meth:`_take_resume_state`,
    :meth:`_restore_rng`)."""

    # Epoch-based: batches of the current epoch done once the running
    # iteration ends.
    _batches_done = 0
    _pending_rng = None

    def resume_state(self) -> dict:
        """What :class:`ResumeStateHook` stores in a checkpoint."""
        return dict(rng=rng_states(), epoch=self._epoch,
                    batches_done=self._batches_done)

    def _take_resume_state(self) -> Optional[dict]:
        """The state of the checkpoint this run resumed from, if it resumed
        (and None for a fresh run or a ``load_from`` one)."""
        if self._iter == 0:
            return None
        for hook in self.runner.hooks:
            if isinstance(hook, ResumeStateHook):
                state, hook.loaded_state = hook.loaded_state, None
                if state is None:
                    print_log(
                        'the checkpoint has no random states (saved without '
                        'ResumeStateHook): training continues, but not '
                        'bit-identically to the run that saved it',
                        logger='current', level=30)
                return state
        return None

    def _restore_rng(self):
        if self._pending_rng is not None:
            set_rng_states(self._pending_rng)
            self._pending_rng = None

    def _new_iterator(self, make_iterator):
        # torch draws a base seed from the global generator for every new
        # data-loader iterator.
        with preserved_rng():
            iterator = make_iterator()
            _start_now(iterator)
        return iterator

    def _validate_if_due(self, done: int, last: int):
        """Validates when mmengine's loop would after ``done`` epochs or
        iterations (of ``last``), without touching the random states."""
        self._decide_current_val_interval()
        if (self.runner.val_loop is not None and done >= self.val_begin
                and (done % self.val_interval == 0 or done == last)):
            with preserved_rng():
                self.runner.val_loop.run()


@LOOPS.register_module()
class ResumableEpochBasedTrainLoop(_ResumeMixin, EpochBasedTrainLoop):
    """mmengine's ``EpochBasedTrainLoop`` (same arguments) that resumes from
    a mid-epoch checkpoint at the batch after the last trained one, with
    the random states of the killed run (see the module's docstring)."""

    _start_batch = 0

    def run(self) -> torch.nn.Module:
        self.runner.call_hook('before_train')
        state = self._take_resume_state()
        if state is not None:
            self._pending_rng = state['rng']
            # An epoch-end checkpoint records the next epoch (mmengine); one
            # saved by iteration records the epoch it was saved in.
            if state['epoch'] == self._epoch:
                self._start_batch = state['batches_done']
        elif self._iter > 0:
            self._start_batch = max(
                0, self._iter - self._epoch * len(self.dataloader))

        while self._epoch < self._max_epochs and not self.stop_training:
            self.run_epoch()
            self._validate_if_due(self._epoch, self._max_epochs)

        self.runner.call_hook('after_train')
        return self.runner.model

    def run_epoch(self) -> None:
        self.runner.call_hook('before_train_epoch')
        self.runner.model.train()
        start, self._start_batch = self._start_batch, 0
        if start:
            batch_sampler = _resumable_batch_sampler(self)
            if batch_sampler is None:
                raise RuntimeError(
                    'resuming in the middle of an epoch needs the '
                    'ResumableBatchSampler that mmmoga.engine.build_runner '
                    'sets up')
            batch_sampler.skip_next(start)
            print_log(f'resuming epoch {self._epoch + 1} after its batch '
                      f'{start} (skipped without loading)', logger='current')
        batches = self._new_iterator(lambda: iter(self.dataloader))
        self._restore_rng()
        self._batches_done = start
        for index, data_batch in enumerate(batches, start=start):
            self._batches_done = index + 1
            self.run_iter(index, data_batch)

        self.runner.call_hook('after_train_epoch')
        self._epoch += 1


@LOOPS.register_module()
class ResumableIterBasedTrainLoop(_ResumeMixin, IterBasedTrainLoop):
    """mmengine's ``IterBasedTrainLoop`` (same arguments) that resumes by
    skipping the indices of trained batches instead of loading them again,
    with the random states of the killed run (see the module's docstring).
    """

    def run(self) -> None:
        self.runner.call_hook('before_train')
        # As mmengine: the whole of training is one "epoch" for the hooks.
        self.runner.call_hook('before_train_epoch')
        state = self._take_resume_state()
        if self._iter > 0:
            self._continue_data_stream()
            if state is not None:
                self._pending_rng = state['rng']
        else:
            with preserved_rng():
                _start_now(self.dataloader_iterator)
        self._restore_rng()

        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            data_batch = next(self.dataloader_iterator)
            self.run_iter(data_batch)
            self._validate_if_due(self._iter, self._max_iters)

        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model

    def _continue_data_stream(self):
        """Points a new data-loader iterator at the batch after the last
        trained one."""
        batch_sampler = _resumable_batch_sampler(self)
        if batch_sampler is None:
            raise RuntimeError(
                'resuming needs the ResumableBatchSampler that '
                'mmmoga.engine.build_runner sets up')
        if isinstance(batch_sampler.sampler, InfiniteSampler):
            # InfiniteSampler makes one index stream when built and every
            # pass continues it; the iterator that mmengine's __init__
            # started has already taken indices from it. Start it again.
            sampler = batch_sampler.sampler
            sampler.indices = sampler._indices_of_rank()
            passes, skip = 0, self._iter
        else:  # mmengine restarts a finite loader, counting passes as epochs
            passes, skip = divmod(self._iter, len(self.dataloader))
            if passes and hasattr(batch_sampler.sampler, 'set_epoch'):
                batch_sampler.sampler.set_epoch(passes)
        batch_sampler.skip_next(skip)
        print_log(f'resuming after iteration {self._iter}: {skip} batches '
                  'skipped without loading', logger='current')
        iterator = self._new_iterator(
            lambda: _InfiniteDataloaderIterator(self.dataloader))
        iterator._epoch = passes
        self.dataloader_iterator = iterator


@HOOKS.register_module()
class ResumeStateHook(Hook):
    """Stores the random states and the place in the epoch in every
    checkpoint a resumable loop saves, and hands them back to the loop when
    training resumes from it."""
    priority = 'VERY_LOW'

    def __init__(self):
        self.loaded_state = None
        self._training_loop = None  # set while training

    def before_train(self, runner) -> None:
        self._training_loop = runner.train_loop

    def after_train(self, runner) -> None:
        self._training_loop = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if isinstance(self._training_loop, _ResumeMixin):
            checkpoint.setdefault('meta', {})[RESUME_STATE_KEY] = \
                self._training_loop.resume_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self.loaded_state = checkpoint.get('meta', {}).get(RESUME_STATE_KEY)
