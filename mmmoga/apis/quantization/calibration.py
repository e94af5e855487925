"""Calibration inputs of a quantized model: images of the config's own
training set (a user's own data as much as COCO's) read through its test
pipeline and data preprocessor, as the exported graph takes them at test
time."""
import copy
import random
from typing import Dict, Iterator, List

import numpy as np
import torch
from mmengine.config import Config

from mmmoga.engine import build_config_model
from mmmoga.errors import ConfigCheckError, DatasetLayoutError

from ..run.config_checks import DATASET_WRAPPER_KEYS, check_dataset_paths
from ..run.testing import use_exported_model


def _with_pipeline(dataset: dict, pipeline: list) -> dict:
    """``dataset`` with every wrapped dataset's pipeline set to
    ``pipeline``."""
    dataset = copy.deepcopy(dataset)
    leaves = [dataset]
    while leaves:
        node = leaves.pop()
        inner = [node[key] for key in DATASET_WRAPPER_KEYS if key in node]
        if not inner:
            node['pipeline'] = copy.deepcopy(pipeline)
        for item in inner:
            leaves.extend(item if isinstance(item, (list, tuple)) else
                          [item])
    return dataset


def _test_pipeline(cfg: Config) -> list:
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    if 'pipeline' not in dataset:
        raise ConfigCheckError(
            f'{cfg.filename}: test_dataloader.dataset has no pipeline to '
            'read calibration images through')
    return dataset['pipeline']


class CalibrationInputs:
    """``count`` images drawn at random (``seed``) from the training set of
    ``cfg`` (or the ``split`` named), as graph inputs (dicts of arrays by
    input name) of the exported file ``float_file``; iterable more than once
    (the quantizers pass over it once per statistic they collect).

    Raises:
        DatasetNotFoundError: A path of the training set does not exist.
        ConfigCheckError: ``count`` is below 1.
    """

    def __init__(self, cfg: Config, float_file: str, count: int,
                 seed: int = 0, split: str = 'train'):
        if count < 1:
            raise ConfigCheckError(
                f'--calib-images {count}: at least 1 image calibrates')
        check_dataset_paths(cfg, splits=(split, ))
        cfg = copy.deepcopy(cfg)
        dataset = _with_pipeline(cfg[f'{split}_dataloader'].dataset,
                                 _test_pipeline(cfg))
        # The exported model's preprocessing, from the config as tools/test.py
        # builds it.
        use_exported_model(cfg, float_file)
        self.model = build_config_model(cfg).eval()
        from mmengine.registry import DATASETS
        try:
            self.dataset = DATASETS.build(dataset)
        # The library's dataset refuses what it refuses; the message names
        # the split it came from.
        except Exception as error:  # noqa: BLE001
            raise DatasetLayoutError(
                f'{cfg.filename}: its {split} set (images to quantize with) '
                f'cannot be built: {type(error).__name__}: {error}') from None
        self.available = len(self.dataset)
        if self.available == 0:
            raise DatasetLayoutError(
                f'{cfg.filename}: its {split} set has no image to quantize '
                'with')
        self.shuffled = list(range(self.available))
        random.Random(seed).shuffle(self.shuffled)
        # The images read: the first ``count`` of the shuffled order (a
        # larger count keeps them and adds more).
        self.indices: List[int] = self.shuffled[:count]

    def take(self, count: int):
        """Reads the first ``count`` images of the shuffled order from now
        on (more images keep the ones calibrated on before)."""
        self.indices = self.shuffled[:count]

    def __len__(self) -> int:
        return len(self.indices)

    def __iter__(self) -> Iterator[Dict[str, np.ndarray]]:
        from mmengine.dataset import pseudo_collate
        for index in self.indices:
            batch = pseudo_collate([self.dataset[index]])
            with torch.no_grad():
                data = self.model.data_preprocessor(batch, False)
            yield from self.model.graph_inputs(data['inputs'],
                                               data['data_samples'])

