"""The accuracy an exported model reaches with the config's own test set,
evaluator and metric, as ``tools/test.py`` measures it; optionally on the
first N images of the set."""
import contextlib
import copy
import io
import json
import os
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config

from mmmoga.engine import build_runner
from mmmoga.errors import ConfigCheckError
from mmmoga.tasks import task_of

from ..run.config_checks import DATASET_WRAPPER_KEYS
from ..run.testing import prepare_testing


def _cut_coco_file(path: str, count: int, out_file: str) -> bool:
    """Writes the first ``count`` images of the COCO file ``path`` and their
    annotations to ``out_file``; False when ``path`` is not COCO-style."""
    with open(path) as f:
        content = json.load(f)
    if not isinstance(content, dict) or 'images' not in content:
        return False
    images = content['images'][:count]
    kept = {image['id'] for image in images}
    content = dict(content, images=images, annotations=[
        annotation for annotation in content.get('annotations', [])
        if annotation['image_id'] in kept])
    with open(out_file, 'w') as f:
        json.dump(content, f)
    return True


def limit_test_set(cfg: Config, count: int, scratch_dir: str):
    """Tests ``cfg`` on the first ``count`` images of its test set. A COCO
    annotation file is cut to those images, for the dataset and the
    evaluators that read it alike (COCO metrics count every image of their
    file); other datasets take ``indices``."""
    if count < 1:
        raise ConfigCheckError(
            f'--val-images {count}: at least 1 image evaluates')
    dataset = cfg.test_dataloader.dataset
    if any(key in dataset for key in DATASET_WRAPPER_KEYS):
        raise ConfigCheckError(
            f'--val-images: the test dataset of {cfg.filename} is a '
            f'{dataset.get("type")} of datasets; evaluate the whole set')
    ann_file = dataset.get('ann_file') or ''
    full_path = osp.join(dataset.get('data_root') or '', ann_file)
    if ann_file.endswith('.json'):
        os.makedirs(scratch_dir, exist_ok=True)
        cut = osp.join(scratch_dir, f'first_{count}_{osp.basename(ann_file)}')
        if _cut_coco_file(full_path, count, cut):
            dataset.ann_file = osp.abspath(cut)
            evaluators = cfg.test_evaluator if isinstance(
                cfg.test_evaluator, list) else [cfg.test_evaluator]
            for evaluator in evaluators:
                if evaluator.get('ann_file') and osp.abspath(
                        evaluator['ann_file']) == osp.abspath(full_path):
                    evaluator['ann_file'] = osp.abspath(cut)
            return
    dataset['indices'] = count


class ExportedEvaluation:
    """The test run of an exported model on ``cfg``'s test set (its first
    ``val_images`` images) in ``backend``, set up once and run on each call:
    the metrics by name as the evaluator logs them. A call may hand another
    session of the same graph (a quantized candidate) to the same run.
    The run's logs go to ``work_dir``."""

    def __init__(self, cfg: Config, exported_file: str, backend: str,
                 work_dir: str, val_images: Optional[int] = None):
        cfg = copy.deepcopy(cfg)
        cfg.work_dir = work_dir
        prepare_testing(cfg, exported_file, backend=backend)
        if val_images is not None:
            limit_test_set(cfg, val_images, work_dir)
        self.runner = build_runner(cfg)

    def __call__(self, session=None) -> Dict[str, float]:
        if session is not None:
            self.runner.model.session = session
        # pycocotools prints its tables; the runner's log (progress,
        # metrics) goes to the stream its handler holds and stays.
        with contextlib.redirect_stdout(io.StringIO()):
            return dict(self.runner.test())


def gated_drops(cfg: Config, reference: Dict[str, float],
                candidate: Dict[str, float]) -> Dict[str, float]:
    """How many points (of top-1, mIoU, AP, ...) each of the task's main
    metrics fell from ``reference`` to ``candidate``, by the zoo tables'
    metric names (``mmmoga.tasks``)."""
    task = task_of(cfg)
    drops = {}
    for name in task.main_metrics:
        key, factor = task.metrics[name]
        if key in reference and key in candidate:
            drops[name] = (reference[key] - candidate[key]) * factor
    if not drops:
        raise ConfigCheckError(
            f'the test evaluator of {cfg.filename} reports none of '
            f'{", ".join(task.metrics[name][0] for name in task.main_metrics)}'
            f' (it reported {", ".join(reference) or "nothing"})')
    return drops


def metric_points(cfg: Config, metrics: Dict[str, float]) -> Dict[str, float]:
    """The task's main metrics of ``metrics`` in points (percent)."""
    task = task_of(cfg)
    return {name: metrics[task.metrics[name][0]] * task.metrics[name][1]
            for name in task.main_metrics if task.metrics[name][0] in metrics}
