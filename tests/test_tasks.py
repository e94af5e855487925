"""The table of tasks (mmmoga.tasks): every row names code that exists and
agrees with the task's configs."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import REPO
from mmmoga.errors import ConfigCheckError
from mmmoga.model_index import load_published
from mmmoga.tasks import TASKS, TASKS_BY_SCOPE, task_of
from toy_tasks import TOY_TASKS


@pytest.mark.parametrize('name', sorted(TASKS))
def test_every_row_names_code_that_exists(name):
    task = TASKS[name]
    assert task.name == name
    assert callable(task.load('predictor'))
    assert callable(task.load('graph'))
    assert callable(task.load('inferencer'))
    planner = task.load('planner')
    assert callable(planner.plan)
    assert set(planner.DEFAULT_LAYOUT) <= set(planner.OPTIONS)


@pytest.mark.parametrize('name', sorted(TASKS))
def test_every_row_agrees_with_its_configs(name):
    """The folder holds configs of the row's scope, its metafile's models
    carry the row's main metrics, and the toy config draws with the row's
    visualization hook."""
    task = TASKS[name]
    folder = osp.join(REPO, task.config_dir)
    configs = sorted(glob.glob(osp.join(folder, '*.py')))
    assert configs, folder
    for path in configs[:2]:
        cfg = Config.fromfile(path, import_custom_modules=False)
        assert task_of(cfg) is task, path
    published = [p for p in load_published(REPO).values() if p.task == name]
    assert published
    assert any(task.main_metrics[0] in p.metrics for p in published)
    toy = Config.fromfile(osp.join(REPO, TOY_TASKS[name].config),
                          import_custom_modules=False)
    assert toy.default_hooks.visualization.type == \
        task.visualization_hook.type


def test_scopes_are_unique_and_unknown_ones_refused(tmp_path):
    assert len(TASKS_BY_SCOPE) == len(TASKS)
    (tmp_path / 'ocr.py').write_text("default_scope = 'mmocr'\n")
    cfg = Config.fromfile(str(tmp_path / 'ocr.py'))
    with pytest.raises(ConfigCheckError, match="ocr.py: default_scope "
                       "'mmocr' is none of mmdet, mmseg, mmpose, mmpretrain"):
        task_of(cfg)
