"""The model index: the OpenMMLab metafiles under
``configs/<task>/metafile.yml``, listed by the root ``model-index.yml``, with
the published numbers and weights of each config; and where the installed
package keeps them.

As in mmdet, mmseg, mmpose and mmpretrain, the configs, tools and model index
travel inside the package under ``mmmoga/.mim`` (``setup.py``: links in an
editable install, copies in a wheel), where ``mim`` and mmengine's
``package::config`` lookup find them.
"""
import os.path as osp
from typing import Dict, List, NamedTuple, Optional

import yaml

from mmmoga.tasks import TASKS, TASKS_BY_SCOPE

from .errors import ConfigCheckError

PACKAGE_DIR = osp.dirname(osp.abspath(__file__))
# The metafile key of a model's released weights' SHA-256 (hex), which
# `mmmoga.get_model(name, pretrained=True)` checks a download against and
# tools/publish_model.py prints. OpenMMLab metafiles have no such key; they
# put a hash prefix in the file name, which does not identify the file.
WEIGHTS_SHA256 = 'Weights SHA-256'

class Published(NamedTuple):
    """One model of the zoo as its metafile entry lists it."""
    name: str
    task: str
    config: str           # relative to the repository
    collection: str
    params: Optional[int]
    flops: Optional[int]
    metrics: Dict[str, float]
    weights: Optional[str]
    weights_sha256: Optional[str]
    metadata: Dict


def metafile_paths(root: str) -> List[str]:
    """The metafiles ``model-index.yml`` in ``root`` imports."""
    with open(osp.join(root, 'model-index.yml')) as file:
        index = yaml.safe_load(file)
    return [osp.join(root, path) for path in index['Import']]


def task_of_metafile(path: str, root: str) -> str:
    relative = osp.relpath(osp.dirname(path), root)
    for task in TASKS.values():
        if relative == task.config_dir:
            return task.name
    raise ValueError(
        f'{path} is not the metafile of a task folder '
        f'({sorted(task.config_dir for task in TASKS.values())})')


def load_published(root: str) -> Dict[str, Published]:
    """Config path (relative to ``root``) -> its published numbers."""
    published = {}
    for path in metafile_paths(root):
        task = task_of_metafile(path, root)
        with open(path) as file:
            metafile = yaml.safe_load(file)
        for model in metafile['Models']:
            metrics = {}
            for result in model.get('Results', []):
                metrics.update(result['Metrics'])
            metadata = model.get('Metadata', {})
            entry = Published(
                name=model['Name'], task=task, config=model['Config'],
                collection=model['In Collection'].replace(' (MogaNet)', ''),
                params=metadata.get('Parameters'),
                flops=metadata.get('FLOPs'), metrics=metrics,
                weights=model.get('Weights'),
                weights_sha256=model.get(WEIGHTS_SHA256), metadata=metadata)
            if entry.config in published:
                raise ValueError(f'{entry.config} has two metafile entries')
            published[entry.config] = entry
    return published


def files_root() -> str:
    """The folder holding ``model-index.yml`` and ``configs/``: the package's
    ``.mim`` folder once installed, else (the package imported from a source
    tree that was never installed) the repository.

    Raises:
        ConfigCheckError: Neither has the model index.
    """
    for root in (osp.join(PACKAGE_DIR, '.mim'), osp.dirname(PACKAGE_DIR)):
        if osp.isfile(osp.join(root, 'model-index.yml')):
            return root
    raise ConfigCheckError(
        f'mmmoga at {PACKAGE_DIR} has no configs or model index (no .mim '
        'folder): install it with pip from the repository or a wheel '
        '(docs/installation.md)')


def enable_package_configs():
    """Lets configs name ours as ``mmmoga::det/mask_rcnn_moga_s.py`` (in
    ``_base_``, as ``mmdet::...``), once mmmoga is imported.

    A workaround: mmengine 0.10 resolves ``package::`` only for the names in
    its own table, ``mmengine.config.utils.MODULE2PACKAGE``, so mmmoga adds
    itself there. The table maps to ``mmmoga.version``, a module rather than
    the distribution, because mmengine finds a distribution's files where
    pip keeps its metadata, which for an editable install is not where the
    package is; for a module it asks the import system, which knows.
    """
    from mmengine.config import utils as config_utils
    config_utils.MODULE2PACKAGE.setdefault('mmmoga', 'mmmoga.version')
    _find_forks_configs(config_utils.MODULE2PACKAGE)


def _find_forks_configs(module_to_package: dict):
    """Where a fork installs a library's import name under a distribution
    name of its own (``onedl-mmsegmentation`` for ``mmseg``), points
    mmengine's table at the import name.

    A workaround: the table maps ``mmseg`` to the distribution
    ``mmsegmentation``, which the OneDL stack does not have, so
    ``mmseg::`` bases (our segmentation configs') fail with "mmsegmentation
    is not installed". For a name that is not a distribution mmengine asks
    the import system, which finds the fork's package and its ``.mim``
    configs (as for ``mmmoga.version`` above)."""
    import importlib.util
    from importlib.metadata import PackageNotFoundError, version
    for scope in TASKS_BY_SCOPE:
        package = module_to_package.get(scope, scope)
        if package == scope:
            continue
        try:
            version(package)
        except PackageNotFoundError:
            if importlib.util.find_spec(scope) is not None:
                module_to_package[scope] = scope
