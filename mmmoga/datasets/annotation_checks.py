"""What makes an annotation malformed, for every task's dataset.

Two places see annotations before the libraries change them:

* the raw COCO-style annotations (detection, keypoints), in the dataset's
  ``parse_data_info``. mmdet's ``CocoDataset`` silently drops a box that
  lies wholly outside its image and a mask whose polygon list is empty
  becomes a missing ``mask`` key (a ``KeyError`` later); mmpose clips boxes
  to the image and takes keypoints as they come.
  :func:`raw_annotation_problems` judges them there;
* the loaded sample, right after the pipeline's loading transforms
  (:class:`LoadedAnnotationCheck`): a label map whose size is not the
  image's, or whose values are not classes, and a class label outside the
  dataset's classes.

``CheckedDataset`` applies both; what happens to a bad sample (skipped and
counted in training, an error in testing) is decided there.
"""
import math
from numbers import Number
from typing import List, Optional, Sequence, Tuple

import numpy as np

# A data info whose raw annotation was bad carries the reason under this key
# (only while it waits to be skipped or reported).
BAD_ANNOTATION_KEY = 'mmmoga_bad_annotation'
# How far (pixels) a box or keypoint may reach past the image border: COCO
# coordinates are floats measured on the pixel grid.
BORDER_TOLERANCE = 1.0


def _numbers(values) -> bool:
    return all(isinstance(v, Number) and math.isfinite(v) for v in values)


def _outside(x: float, y: float, width: float, height: float) -> bool:
    return not (-BORDER_TOLERANCE <= x <= width + BORDER_TOLERANCE
                and -BORDER_TOLERANCE <= y <= height + BORDER_TOLERANCE)


def box_problem(bbox, width: float, height: float) -> Optional[str]:
    """What is wrong with a COCO box ``[x, y, w, h]`` in a ``width`` x
    ``height`` image, or None."""
    if not isinstance(bbox, Sequence) or len(bbox) != 4 or not _numbers(
            bbox):
        return f'box {bbox!r} is not four finite numbers [x, y, w, h]'
    x, y, w, h = bbox
    if w <= 0 or h <= 0:
        return f'box [x, y, w, h] = {list(bbox)} has no area'
    if _outside(x, y, width, height) or _outside(x + w, y + h, width, height):
        return (f'box [x, y, w, h] = {list(bbox)} reaches outside the '
                f'{width}x{height} image')
    return None


def polygons_problem(segmentation) -> Optional[str]:
    """What is wrong with a COCO polygon list, or None (RLE is not
    checked)."""
    if not isinstance(segmentation, list):
        return None
    if not segmentation:
        return 'empty polygon list'
    for polygon in segmentation:
        if not isinstance(polygon, list) or len(polygon) < 6 or len(
                polygon) % 2 or not _numbers(polygon):
            count = len(polygon) if isinstance(polygon, list) else polygon
            return (f'polygon of {count} coordinates (a polygon is at least '
                    '3 points x, y)')
    return None


def keypoints_problem(keypoints, width: float, height: float,
                      num_keypoints: Optional[int]) -> Optional[str]:
    """What is wrong with COCO keypoints ``[x1, y1, v1, ...]``, or None."""
    if not isinstance(keypoints, Sequence) or len(keypoints) % 3 or (
            num_keypoints is not None
            and len(keypoints) != 3 * num_keypoints):
        expected = (f'3 x {num_keypoints}' if num_keypoints is not None else
                    'a multiple of 3')
        length = len(keypoints) if isinstance(keypoints, Sequence) else '?'
        return f'{length} keypoint values, expected {expected}'
    if not _numbers(keypoints):
        return 'keypoints are not all finite numbers'
    for number in range(len(keypoints) // 3):
        x, y, visibility = keypoints[3 * number:3 * number + 3]
        if visibility not in (0, 1, 2):
            return (f'keypoint {number} has visibility {visibility} (COCO: '
                    '0 not labelled, 1 occluded, 2 visible)')
        if visibility > 0 and _outside(x, y, width, height):
            return (f'keypoint {number} at ({x}, {y}) lies outside the '
                    f'{width}x{height} image')
    return None


def annotation_problem(annotation: dict, width: float, height: float,
                       num_keypoints: Optional[int] = None) -> Optional[str]:
    """What is wrong with one COCO-style annotation (box, polygons,
    keypoints, whichever it has), or None."""
    checks = (
        ('bbox', lambda box: box_problem(box, width, height)),
        ('segmentation', polygons_problem),
        ('keypoints',
         lambda points: keypoints_problem(points, width, height,
                                          num_keypoints)),
    )
    for key, check in checks:
        if key in annotation:
            problem = check(annotation[key])
            if problem is not None:
                return problem
    return None


def raw_annotation_problems(raw_data_info: dict,
                            num_keypoints: Optional[int] = None
                            ) -> List[Tuple[int, str]]:
    """``(annotation number, reason)`` for every malformed annotation of a
    raw COCO-style data info (``raw_img_info`` with the image size and
    ``raw_ann_info``: one annotation, as mmpose parses them, or the image's
    list, as mmdet does). Annotations marked ``ignore`` are not checked
    (mmdet skips them)."""
    image = raw_data_info.get('raw_img_info')
    annotations = raw_data_info.get('raw_ann_info')
    if not isinstance(image, dict) or annotations is None:
        return []
    width, height = image.get('width'), image.get('height')
    if not _numbers([width, height]):
        return [(-1, f'image size {width}x{height} is not two numbers')]
    if isinstance(annotations, dict):
        annotations = [annotations]
    problems = []
    for number, annotation in enumerate(annotations):
        if not isinstance(annotation, dict) or annotation.get('ignore'):
            continue
        problem = annotation_problem(annotation, width, height,
                                     num_keypoints)
        if problem is not None:
            name = annotation.get('id', f'number {number}')
            problems.append((number, f'annotation {name}: {problem}'))
    return problems


class LoadedAnnotationCheck:
    """A pipeline step, placed after the loading transforms, that raises a
    ``ValueError`` for a malformed loaded sample:

    * the reason that the raw-annotation check left on the data info;
    * a label map (``gt_seg_map``) that is not one channel, whose size is
      not the image's, or (given ``num_classes``) with values that are
      neither a class nor ``ignore_index``;
    * a class label (``gt_label``) outside ``0 .. num_classes - 1``.

    Args:
        num_classes (int, optional): The dataset's number of classes; None
            skips the value checks.
        ignore_index (int, optional): The label-map value that marks
            unlabelled pixels.
    """

    def __init__(self, num_classes: Optional[int] = None,
                 ignore_index: Optional[int] = None):
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def __call__(self, results: dict) -> dict:
        if results.get(BAD_ANNOTATION_KEY):
            raise ValueError(results[BAD_ANNOTATION_KEY])
        label_map = results.get('gt_seg_map')
        if label_map is not None:
            self._check_label_map(np.asarray(label_map), results)
        label = results.get('gt_label')
        if label is not None and self.num_classes is not None:
            labels = np.asarray(label).reshape(-1)
            wrong = labels[(labels < 0) | (labels >= self.num_classes)]
            if wrong.size:
                raise ValueError(
                    f'class label {wrong.tolist()} is outside the '
                    f'{self.num_classes} classes (0..{self.num_classes - 1})')
        return results

    def _check_label_map(self, label_map: np.ndarray, results: dict):
        if label_map.ndim != 2:
            raise ValueError(
                f'label map of shape {label_map.shape}: expected one channel '
                'of class indices (a colour-coded map?)')
        image_shape = tuple(results.get('ori_shape') or ())[:2]
        if image_shape and label_map.shape != image_shape:
            raise ValueError(
                f'label map is {label_map.shape[1]}x{label_map.shape[0]} but '
                f'the image is {image_shape[1]}x{image_shape[0]}')
        if self.num_classes is None:
            return
        valid = (label_map >= 0) & (label_map < self.num_classes)
        if self.ignore_index is not None:
            valid |= label_map == self.ignore_index
        if not valid.all():
            values = np.unique(label_map[~valid])
            shown = ', '.join(map(str, values[:5].tolist())) + (
                ', ...' if values.size > 5 else '')
            # mmseg's LoadAnnotations has by now mapped 0 to the ignore
            # index and lowered the rest by one, where asked to.
            reduced = (' (after reduce_zero_label)'
                       if results.get('reduce_zero_label') else '')
            raise ValueError(
                f'label map has values {shown}{reduced} that are neither one '
                f'of the {self.num_classes} classes nor the ignore index '
                f'{self.ignore_index}')

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index})')
