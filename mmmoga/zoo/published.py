"""The published numbers of the model zoo: the OpenMMLab metafiles under
``configs/<task>/metafile.yml``, listed by the root ``model-index.yml``."""
import os.path as osp
from typing import Dict, List, NamedTuple, Optional

import yaml

# Metafile metric names that the tables show, per task, in order.
MAIN_METRICS = {
    'det': ('box AP', 'mask AP'),
    'seg': ('mIoU', 'mAcc'),
    'pose': ('AP', 'AR'),
    'cls': ('Top 1 Accuracy', 'Top 5 Accuracy'),
}
TASK_DIRS = {'det': 'configs/det', 'seg': 'configs/seg',
             'pose': 'configs/pose',
             'cls': 'configs/cls'}


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
    metadata: Dict


def metafile_paths(root: str) -> List[str]:
    """The metafiles ``model-index.yml`` in ``root`` imports."""
    with open(osp.join(root, 'model-index.yml')) as file:
        index = yaml.safe_load(file)
    return [osp.join(root, path) for path in index['Import']]


def task_of_metafile(path: str, root: str) -> str:
    relative = osp.relpath(osp.dirname(path), root)
    for task, folder in TASK_DIRS.items():
        if relative == folder:
            return task
    raise ValueError(f'{path} is not the metafile of a task folder '
                     f'({sorted(TASK_DIRS.values())})')


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
                weights=model.get('Weights'), metadata=metadata)
            if entry.config in published:
                raise ValueError(f'{entry.config} has two metafile entries')
            published[entry.config] = entry
    return published
