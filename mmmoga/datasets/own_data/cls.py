"""An image classification dataset (class folders, or an annotation list)
surveyed before a config is written for it."""
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

from mmmoga.errors import DatasetLayoutError

from .common import require_file, require_folder

# The suffixes MMPretrain's CustomDataset takes as images (compared in
# lower case).
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.ppm', '.bmp', '.pgm', '.tif')


@dataclass(frozen=True)
class ClassificationSplit:
    """One split: ``images`` maps class name -> images."""
    classes: Tuple[str, ...]
    images: Dict[str, int]


def _is_image(name: str) -> bool:
    return name.lower().endswith(IMAGE_SUFFIXES)


def survey_class_folders(folder: str, option: str,
                         classes: Optional[Sequence[str]] = None
                         ) -> ClassificationSplit:
    """The class folders of ``folder`` (their sorted names are the classes,
    as CustomDataset numbers them) and their images. With ``classes`` (the
    training split's), the folders must be the same: CustomDataset numbers
    each split's folders on its own, so a missing one would shift the
    labels of the others."""
    require_folder(folder, option)
    found = sorted(entry.name for entry in os.scandir(folder)
                   if entry.is_dir())
    if not found:
        raise DatasetLayoutError(
            f'{folder} ({option}) holds no class folders: CustomDataset '
            'reads one folder of images per class, or an annotation list '
            '(--train-ann / --val-ann)')
    if classes is not None and tuple(found) != tuple(classes):
        missing = sorted(set(classes) - set(found))
        extra = sorted(set(found) - set(classes))
        problem = (f'lacks the class folder {missing[0]!r}' if missing else
                   f'has the folder {extra[0]!r}, which the training '
                   'split has not')
        raise DatasetLayoutError(
            f'{folder} ({option}) {problem}: every split needs the same '
            'class folders (an empty one will do), or the labels shift')
    images = {}
    for name in found:
        images[name] = sum(
            _is_image(file) for _, _, files in os.walk(osp.join(folder, name))
            for file in files)
    if not any(images.values()):
        raise DatasetLayoutError(
            f'the class folders of {folder} ({option}) hold no images '
            f'(suffixes: {", ".join(IMAGE_SUFFIXES)})')
    return ClassificationSplit(tuple(found), images)


def survey_annotation_list(ann_file: str, img_dir: str,
                           classes: Sequence[str],
                           options: Sequence[str]) -> ClassificationSplit:
    """An annotation list (one ``path label`` line per image, paths
    relative to ``img_dir``, labels 0 to ``len(classes) - 1``), checked
    line by line."""
    require_file(ann_file, options[0])
    require_folder(img_dir, options[1])
    images = {name: 0 for name in classes}
    with open(ann_file, encoding='utf-8') as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            path, _, label = line.strip().rpartition(' ')
            if not path or not label.isdigit():
                raise DatasetLayoutError(
                    f'{ann_file}, line {number}: {line.strip()!r} is not '
                    '"<image path> <class index>"')
            if int(label) >= len(classes):
                raise DatasetLayoutError(
                    f'{ann_file}, line {number}: class index {label} is not '
                    f'one of the {len(classes)} classes (0-'
                    f'{len(classes) - 1})')
            if not osp.isfile(osp.join(img_dir, path)):
                raise DatasetLayoutError(
                    f'{ann_file}, line {number}: '
                    f'{osp.join(img_dir, path)} does not exist')
            images[classes[int(label)]] += 1
    if not any(images.values()):
        raise DatasetLayoutError(f'{ann_file} ({options[0]}) lists no images')
    return ClassificationSplit(tuple(classes), images)
