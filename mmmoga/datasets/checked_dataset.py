"""One place that decides what happens to a sample that cannot be loaded or
whose annotation is malformed, for every task's dataset."""
import json
from typing import Optional

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmengine.registry import DATASETS

from mmmoga.errors import BadDataError
from mmmoga.utils.random_state import sample_seed, seeded_rng

from .annotation_checks import (
    BAD_ANNOTATION_KEY,
    LoadedAnnotationCheck,
    raw_annotation_problems,
)


def _first_line(error: BaseException) -> str:
    """The first line of the error that started it all: mmpose's LoadImage,
    for one, re-raises a failed decode as "... Please check whether the
    file exists", which misleads for a file that exists but is broken."""
    while error.__cause__ is not None or (error.__context__ is not None
                                          and not error.__suppress_context__):
        error = error.__cause__ or error.__context__
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


@DATASETS.register_module()
class CheckedDataset:
    """Wraps a dataset so that a sample whose loading fails (an image that
    cannot be read or decoded, an annotation its pipeline rejects with an
    error) or whose annotation is malformed (:mod:`.annotation_checks`: a
    box outside its image, an empty polygon, keypoints out of range, a label
    map of the wrong size or with values that are not classes, a class
    label out of range) never passes silently.

    Raw COCO-style annotations are checked as the wrapped dataset parses
    them, so a dataset given as a config is built here and fully
    initialised at once (``lazy_init`` is not kept); the loaded sample is
    checked by a step inserted into the dataset's pipeline after its
    loading transforms. A malformed raw annotation is reported when the
    dataset is built: in testing as an error; in training with one warning
    line per file, counted against ``max_bad_fraction``. In training, an
    image with a malformed annotation is skipped whole (its other
    annotations would teach that the missing object is background); an
    instance of a top-down pose dataset is dropped.

    When skipping (training) the sample is skipped: one warning
    names the file and the reason (once per file), the next sample is used
    instead, and the bad ones are counted; once more than
    ``max_bad_fraction`` of the dataset has been bad, training stops with a
    :class:`BadDataError`. Otherwise (testing, validation) a bad sample is a
    :class:`BadDataError` naming the file, since dropping it would change the
    metric. Everything else (``metainfo``, ``get_data_info``, ...) is the
    wrapped dataset's. The tools wrap every data loader's dataset
    (``mmmoga.engine.build_runner``). Counts are per data-loader worker.

    An index that carries its sample's place in training (a
    ``SampleIndex`` from ``ResumableBatchSampler``) seeds the random
    transforms of that sample, so that they do not depend on the process
    that loads it (see :mod:`mmmoga.engine.resumable_training`).

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
        self.max_bad_fraction = max_bad_fraction
        self.bad_files = {}
        # Found while parsing: {file: reason}, and the instances dropped.
        self._annotation_problems = {}
        self._dropped = 0
        self.dataset = (self._build_checking_annotations(dataset)
                        if isinstance(dataset, dict) else dataset)
        self.skip_bad_samples = (
            not getattr(self.dataset, 'test_mode', False)
            if skip_bad_samples is None else skip_bad_samples)
        self._add_loaded_check()
        self._report_annotation_problems()

    def _build_checking_annotations(self, cfg: dict):
        """Builds the dataset of ``cfg``, checking its raw annotations as it
        parses them (where it parses them one by one, in
        ``parse_data_info``, as mmdet's and mmpose's COCO datasets do)."""
        dataset_type = cfg.get('type')
        dataset_class = dataset_type
        if isinstance(dataset_type, str):
            # As build_from_cfg looks it up: in the default scope's
            # registry, with that library's modules imported.
            with DATASETS.switch_scope_and_registry(None) as registry:
                dataset_class = registry.get(dataset_type)
        if not (isinstance(dataset_class, type)
                and issubclass(dataset_class, BaseDataset)):
            # A dataset wrapper (RepeatDataset, ConcatDataset, ...) takes
            # its datasets built.
            cfg = dict(cfg)
            if isinstance(cfg.get('dataset'), dict):
                cfg['dataset'] = self._build_checking_annotations(
                    cfg['dataset'])
            if isinstance(cfg.get('datasets'), (list, tuple)):
                cfg['datasets'] = [
                    self._build_checking_annotations(inner)
                    if isinstance(inner, dict) else inner
                    for inner in cfg['datasets']
                ]
            return DATASETS.build(cfg)
        dataset = DATASETS.build({**cfg, 'lazy_init': True})
        parse = dataset.parse_data_info
        num_keypoints = dataset.metainfo.get('num_keypoints')

        def parse_checked(raw_data_info):
            problems = raw_annotation_problems(raw_data_info, num_keypoints)
            if not problems:
                return parse(raw_data_info)
            reason = problems[0][1] + (f' (and {len(problems) - 1} more)'
                                       if len(problems) > 1 else '')
            annotations = raw_data_info['raw_ann_info']
            if isinstance(annotations, list):
                # One image and its annotations (mmdet): parsed without the
                # bad ones (whose fields it may not survive), and marked.
                bad = {number for number, _ in problems}
                info = parse({
                    **raw_data_info, 'raw_ann_info': [
                        annotation
                        for number, annotation in enumerate(annotations)
                        if number not in bad
                    ]
                })
                infos = info if isinstance(info, list) else [info]
                for item in infos:
                    item[BAD_ANNOTATION_KEY] = reason
                path = infos[0].get('img_path') if infos else None
            else:  # one instance of an image (mmpose): dropped
                info = None
                self._dropped += 1
                image = raw_data_info.get('raw_img_info', {})
                path = image.get('img_path') or image.get('file_name')
            self._annotation_problems.setdefault(
                str(path or 'an unnamed sample'), reason)
            return info

        # The instance attribute shadows the class's method while the
        # dataset parses its annotation file, and is removed afterwards.
        dataset.parse_data_info = parse_checked
        try:
            dataset.full_init()
        except json.JSONDecodeError as error:
            raise BadDataError(
                f'annotation file {dataset.ann_file} is not valid JSON: '
                f'{error.msg} at line {error.lineno}, column {error.colno}'
            ) from None
        except KeyError as error:
            raise BadDataError(
                f'annotation file {dataset.ann_file}: '
                f'{type(dataset).__name__} needs the key {error.args[0]!r}, '
                'which it lacks (is it an annotation file of that '
                'format?)') from None
        finally:
            del dataset.parse_data_info
        return dataset

    def _add_loaded_check(self, dataset=None):
        """Inserts :class:`LoadedAnnotationCheck` into the dataset's
        pipeline (those of the datasets inside a dataset wrapper), after its
        last loading transform."""
        dataset = self.dataset if dataset is None else dataset
        inner = getattr(dataset, 'datasets', None) or [
            getattr(dataset, 'dataset', None)
        ]
        for wrapped in inner:
            if wrapped is not None:
                self._add_loaded_check(wrapped)
        transforms = getattr(getattr(dataset, 'pipeline', None),
                             'transforms', None)
        if not isinstance(transforms, list) or any(
                isinstance(t, LoadedAnnotationCheck) for t in transforms):
            return
        loaders = [number for number, transform in enumerate(transforms)
                   if type(transform).__name__.startswith('Load')]
        metainfo = getattr(dataset, 'metainfo', None) or {}
        classes = metainfo.get('classes')
        transforms.insert(
            loaders[-1] + 1 if loaders else 0,
            LoadedAnnotationCheck(
                num_classes=len(classes) if classes else None,
                ignore_index=getattr(dataset, 'ignore_index', None)))

    def _report_annotation_problems(self):
        """Testing: an error naming the first file with a malformed raw
        annotation. Training: one warning per file, counted."""
        if not self._annotation_problems:
            return
        if not self.skip_bad_samples:
            (path, reason), *others = self._annotation_problems.items()
            raise BadDataError(
                f'bad sample {path}: {reason}' +
                (f' ({len(others)} more files have bad annotations)'
                 if others else ''))
        for path, reason in self._annotation_problems.items():
            self._note_bad(path, reason)
        self._check_bad_fraction(len(self.dataset) + self._dropped)

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
        place = getattr(index, 'place', None)
        for attempt in range(size):
            current = (int(index) + attempt) % size
            try:
                if place is None:
                    return self.dataset[current]
                with seeded_rng(sample_seed(place + (attempt, ))):
                    return self.dataset[current]
            except Exception as error:  # any loading failure is reported
                path = self._sample_file(current)
                reason = _first_line(error)
                if not self.skip_bad_samples:
                    raise BadDataError(
                        f'bad sample {path}: {reason}') from None
                self._note_bad(path, reason)
                self._check_bad_fraction(size)
        raise BadDataError('every sample of the dataset failed to load')

    def _note_bad(self, path: str, reason: str):
        if path not in self.bad_files:
            self.bad_files[path] = reason
            print_log(f'skipping bad sample {path}: {reason}',
                      logger='current', level=30)

    def _check_bad_fraction(self, size: int):
        if len(self.bad_files) > self.max_bad_fraction * size:
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
