"""A semantic segmentation dataset (an image folder and a folder of label
maps) surveyed before a config is written for it."""
import os
import os.path as osp
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Sequence

import numpy as np
from PIL import Image

from mmmoga.errors import DatasetLayoutError
from mmmoga.utils import tracked

from .common import require_folder

# The value MMSegmentation ignores in label maps (``ignore_index``).
IGNORE_INDEX = 255


@dataclass(frozen=True)
class SegmentationSplit:
    """One split of a segmentation dataset.

    Attributes:
        num_images: Images with a label map.
        pixels: Class name -> labelled pixels.
        ignored_pixels: Pixels ignored in training and testing (255, and
            0 under ``reduce_zero_label``).
    """
    num_images: int
    pixels: Dict[str, int]
    ignored_pixels: int


def image_suffix(img_dir: str, option: str) -> str:
    """The commonest file suffix in ``img_dir`` (searched recursively, as
    MMSegmentation does), e.g. ``'.jpg'``."""
    suffixes = Counter(
        osp.splitext(name)[1] for _, _, names in os.walk(img_dir)
        for name in names if osp.splitext(name)[1])
    if not suffixes:
        raise DatasetLayoutError(f'{img_dir} ({option}) holds no files')
    return suffixes.most_common(1)[0][0]


def _images(img_dir: str, suffix: str) -> List[str]:
    """Paths of the images, relative to ``img_dir``, sorted."""
    found = []
    for root, _, names in os.walk(img_dir):
        found += [osp.relpath(osp.join(root, name), img_dir)
                  for name in names if name.endswith(suffix)]
    return sorted(found)


def _label_values(path: str, size) -> np.ndarray:
    """Pixel count of each value 0-255 in the label map ``path``, an
    image of ``size`` (width, height)."""
    with Image.open(path) as label:
        if label.mode not in ('L', 'P', 'I', 'I;16'):
            raise DatasetLayoutError(
                f'{path} is an image of mode {label.mode}: a label map holds '
                'one class index per pixel in a single channel (mode L or '
                'P), not colours')
        if label.size != size:
            raise DatasetLayoutError(
                f'{path} is {label.size[0]}x{label.size[1]} but its image '
                f'is {size[0]}x{size[1]}')
        values = np.asarray(label).astype(np.int64).ravel()
    if values.size and (values.min() < 0 or values.max() > IGNORE_INDEX):
        raise DatasetLayoutError(
            f'{path} holds the value {int(values.max())}, outside 0-255')
    return np.bincount(values, minlength=IGNORE_INDEX + 1)


def survey_segmentation(img_dir: str, seg_dir: str, img_suffix: str,
                        seg_suffix: str, classes: Sequence[str],
                        reduce_zero_label: bool,
                        options: Sequence[str]) -> SegmentationSplit:
    """Checks that every image of ``img_dir`` has a label map of its size
    in ``seg_dir`` whose values are classes (or ignored), and counts the
    pixels of each class. ``options`` name where the two folders came
    from, for messages."""
    require_folder(img_dir, options[0])
    require_folder(seg_dir, options[1])
    images = _images(img_dir, img_suffix)
    if not images:
        raise DatasetLayoutError(
            f'{img_dir} ({options[0]}) holds no image ending in '
            f'{img_suffix!r} (--img-suffix)')
    totals = np.zeros(IGNORE_INDEX + 1, dtype=np.int64)
    # Label value -> class index, as mmseg's LoadAnnotations maps it.
    first = 1 if reduce_zero_label else 0
    valid = set(range(first, first + len(classes))) | {IGNORE_INDEX}
    if reduce_zero_label:
        valid.add(0)
    for name in tracked(images, f'reading the label maps of {seg_dir}'):
        label_path = osp.join(seg_dir, name[:-len(img_suffix)] + seg_suffix)
        if not osp.isfile(label_path):
            raise DatasetLayoutError(
                f'{osp.join(img_dir, name)} has no label map: '
                f'{label_path} does not exist')
        with Image.open(osp.join(img_dir, name)) as image:
            size = image.size
        counts = _label_values(label_path, size)
        outside = [v for v in np.flatnonzero(counts) if v not in valid]
        if outside:
            meaning = (f'with --reduce-zero-label, 0 is ignored and 1-'
                       f'{len(classes)} are the classes' if reduce_zero_label
                       else f'0-{len(classes) - 1} are the classes')
            if not reduce_zero_label and outside[0] == len(classes) and \
                    counts[0]:
                meaning += ('; if 0 means "other" and 1-'
                            f'{len(classes)} are the classes, add '
                            '--reduce-zero-label')
            raise DatasetLayoutError(
                f'{label_path} holds the label value {int(outside[0])}, '
                f'which is not one of the {len(classes)} classes ({meaning}'
                f'; 255 is ignored)')
        totals += counts
    pixels = {name: int(totals[first + index])
              for index, name in enumerate(classes)}
    ignored = int(totals[IGNORE_INDEX]) + (int(totals[0])
                                           if reduce_zero_label else 0)
    return SegmentationSplit(num_images=len(images), pixels=pixels,
                             ignored_pixels=ignored)
