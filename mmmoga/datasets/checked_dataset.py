"""One place that decides what happens to a sample that cannot be loaded,
for every task's dataset."""
from typing import Optional

from mmengine.logging import print_log
from mmengine.registry import DATASETS


class BadDataError(RuntimeError):
    """Training met too many bad samples, or testing met one."""


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


@DATASETS.register_module()
class CheckedDataset:
    """Wraps a dataset so that a sample whose loading fails (an image that
    cannot be read or decoded, an annotation its pipeline rejects with an
    error) never passes silently.

    When skipping (training) the sample is skipped: one warning
    names the file and the reason (once per file), the next sample is used
    instead, and the bad ones are counted; once more than
    ``max_bad_fraction`` of the dataset has been bad, training stops with a
    :class:`BadDataError`. Otherwise (testing, validation) a bad sample is a
    :class:`BadDataError` naming the file, since dropping it would change the
    metric. Everything else (``metainfo``, ``get_data_info``, ...) is the
    wrapped dataset's. The tools wrap every data loader's dataset
    (``mmmoga.utils.build_runner``). Counts are per data-loader worker.

    Args:
        dataset (dict | Dataset): The dataset or its config.
        skip_bad_samples (bool, optional): Skip bad samples (training) or
            raise (testing). None: skip unless the dataset's ``test_mode``
            is set; the tools say it per data loader, since not every
            library's validation datasets set ``test_mode``.
        max_bad_fraction (float): Largest share of bad samples training
            accepts. Defaults to 0.01.
    """

    def __init__(self, dataset, skip_bad_samples: Optional[bool] = None,
                 max_bad_fraction: float = 0.01):
        if not 0 <= max_bad_fraction < 1:
            raise ValueError('max_bad_fraction must be in [0, 1), got '
                             f'{max_bad_fraction}')
        self.dataset = (DATASETS.build(dataset) if isinstance(dataset, dict)
                        else dataset)
        self.skip_bad_samples = (
            not getattr(self.dataset, 'test_mode', False)
            if skip_bad_samples is None else skip_bad_samples)
        self.max_bad_fraction = max_bad_fraction
        self.bad_files = {}

    def __len__(self):
        return len(self.dataset)

    def __getattr__(self, name):
        # Only reached for attributes this wrapper does not define.
        if name == 'dataset':
            raise AttributeError(name)
        return getattr(self.dataset, name)

    @property
    def metainfo(self):
        return self.dataset.metainfo

    def _sample_file(self, index: int) -> str:
        try:
            info = self.dataset.get_data_info(index)
        except Exception:  # the annotation itself may be what is broken
            return f'sample {index}'
        files = [info[key] for key in ('img_path', 'seg_map_path')
                 if info.get(key)]
        return ', '.join(map(str, files)) or f'sample {index}'

    def __getitem__(self, index: int):
        size = len(self.dataset)
        for attempt in range(size):
            current = (index + attempt) % size
            try:
                return self.dataset[current]
            except Exception as error:  # any loading failure is reported
                path = self._sample_file(current)
                reason = _first_line(error)
                if not self.skip_bad_samples:
                    raise BadDataError(f'bad sample {path}: {reason}') from None
                self._count_bad(path, reason, size)
        raise BadDataError('every sample of the dataset failed to load')

    def _count_bad(self, path: str, reason: str, size: int):
        if path not in self.bad_files:
            self.bad_files[path] = reason
            print_log(f'skipping bad sample {path}: {reason}',
                      logger='current', level=30)
        allowed = self.max_bad_fraction * size
        if len(self.bad_files) > allowed:
            listed = '; '.join(f'{p}: {r}'
                               for p, r in list(self.bad_files.items())[:3])
            raise BadDataError(
                f'{len(self.bad_files)} of {size} training samples are bad, '
                f'more than max_bad_fraction={self.max_bad_fraction:g} '
                f'allows ({listed})')


def bad_data_message(error: BaseException) -> Optional[str]:
    """The one-line message of a :class:`BadDataError`, also when a data
    loader worker raised it (PyTorch then re-raises it with the worker's
    traceback in the message, ending with the original line)."""
    if not isinstance(error, BadDataError):
        return None
    last = str(error).strip().splitlines()[-1]
    prefix = 'BadDataError: '
    return last.split(prefix, 1)[1] if prefix in last else last
