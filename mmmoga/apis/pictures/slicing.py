"""Sliced detection for large images with small objects (as SAHI does): the
image is cut into overlapping tiles, the detector runs on each tile and on
the whole image (which its test pipeline scales down to the config's size),
and the detections are merged.

Merging suppresses, class by class and best score first, every box whose
intersection with a kept box covers more than half of the smaller of the
two (SAHI's default match, "IOS" at 0.5): a shape cut by a tile's border
gives a part-box inside the whole one found in the next tile, which IoU
would keep as a second object. SAHI itself is not used: its MMDetection
wrapper builds the model from a config path through ``init_detector``
(no exported models, no ``mmmoga::`` configs), and the tiling and merging
are a few lines.

Only boxes are merged: instance masks of a tile are not pasted into the
large image (:data:`SLICED_KEEPS`).
"""
from typing import Callable, List, NamedTuple, Tuple

import numpy as np

from .predictors import DetectionPredictor, Prediction

Detections = Tuple[np.ndarray, np.ndarray, np.ndarray]
# Tile detections scoring below this are dropped before merging (the
# drawing's threshold is higher): it keeps the merge small.
MIN_TILE_SCORE = 0.05
MATCH_THR = 0.5
SLICED_KEEPS = 'boxes, scores and labels (masks are not merged across tiles)'


def tile_origins(length: int, size: int, overlap: float) -> List[int]:
    """Where the tiles of ``size`` start along an image side of
    ``length``, consecutive tiles sharing ``overlap`` of a tile; the last
    tile ends at the border."""
    if length <= size:
        return [0]
    stride = max(1, int(round(size * (1 - overlap))))
    origins = list(range(0, length - size, stride))
    return origins + [length - size]


def merge_detections(boxes: np.ndarray, scores: np.ndarray,
                     labels: np.ndarray, match_thr: float = MATCH_THR
                     ) -> np.ndarray:
    """Indices of the detections kept: per class, best first, a box is
    dropped when its intersection with a kept box is more than
    ``match_thr`` of the smaller box's area."""
    kept = []
    areas = np.prod(np.clip(boxes[:, 2:] - boxes[:, :2], 0, None), axis=1)
    for label in np.unique(labels):
        candidates = np.flatnonzero(labels == label)
        candidates = candidates[np.argsort(-scores[candidates],
                                           kind='stable')]
        while len(candidates):
            best, rest = candidates[0], candidates[1:]
            kept.append(best)
            top_left = np.maximum(boxes[best, :2], boxes[rest, :2])
            bottom_right = np.minimum(boxes[best, 2:], boxes[rest, 2:])
            overlap = np.prod(np.clip(bottom_right - top_left, 0, None),
                              axis=1)
            smaller = np.maximum(np.minimum(areas[best], areas[rest]), 1e-6)
            candidates = rest[overlap / smaller <= match_thr]
    kept = np.array(kept, dtype=np.int64)
    return kept[np.argsort(-scores[kept], kind='stable')]


def sliced_detections(image: np.ndarray,
                      detect: Callable[[np.ndarray], Detections],
                      size: int, overlap: float,
                      whole_image: bool = True) -> Detections:
    """Boxes (N, 4, xyxy in ``image``), scores and labels of ``detect`` run
    on each tile of ``image`` (and on the whole image), merged
    (:func:`merge_detections`)."""
    height, width = image.shape[:2]
    parts = [detect(image)] if whole_image else []
    for top in tile_origins(height, size, overlap):
        for left in tile_origins(width, size, overlap):
            boxes, scores, labels = detect(
                np.ascontiguousarray(image[top:top + size,
                                           left:left + size]))
            parts.append((boxes + np.array([left, top, left, top],
                                           dtype=boxes.dtype),
                          scores, labels))
    boxes, scores, labels = (np.concatenate(arrays) for arrays in zip(*parts))
    confident = scores >= MIN_TILE_SCORE
    boxes, scores, labels = boxes[confident], scores[confident], \
        labels[confident]
    kept = merge_detections(boxes, scores, labels)
    return boxes[kept], scores[kept], labels[kept]


class SlicedPredictor:
    """A :class:`DetectionPredictor` run tile by tile
    (:func:`sliced_detections`); called as the predictor is."""
    record_suffix = '.json'
    task = 'det'

    def __init__(self, predictor: DetectionPredictor, size: int,
                 overlap: float):
        self.predictor = predictor
        self.size = size
        self.overlap = overlap

    def detect(self, image: np.ndarray) -> Detections:
        instances = self.predictor.detect(image).pred_instances.cpu()
        return (instances.bboxes.numpy().astype(np.float32),
                instances.scores.numpy(), instances.labels.numpy())

    def __call__(self, image: np.ndarray, name: str = '') -> Prediction:
        return self.prediction(image, *sliced_detections(
            image, self.detect, self.size, self.overlap))

    def prediction(self, image: np.ndarray, boxes: np.ndarray,
                   scores: np.ndarray, labels: np.ndarray) -> Prediction:
        """Detections in ``image``, drawn and listed by the predictor."""
        import torch
        from mmdet.structures import DetDataSample
        from mmengine.structures import InstanceData
        sample = DetDataSample(metainfo=dict(ori_shape=image.shape[:2]))
        sample.pred_instances = InstanceData(
            bboxes=torch.from_numpy(boxes), scores=torch.from_numpy(scores),
            labels=torch.from_numpy(labels))
        return self.predictor.prediction(image, sample)

    def drawn(self, image: np.ndarray, boxes: np.ndarray, scores: np.ndarray,
              labels: np.ndarray) -> np.ndarray:
        return self.prediction(image, boxes, scores, labels).drawn


def box_recall(found: np.ndarray, found_labels: np.ndarray,
               scores: np.ndarray, truth: np.ndarray, truth_labels: np.ndarray,
               iou_thr: float = 0.5) -> float:
    """The fraction of the ``truth`` boxes (xyxy) matched by a ``found``
    box of the same label with IoU at least ``iou_thr``, each found box
    matching one object, best score first (as COCO's matching)."""
    if len(truth) == 0:
        return 1.
    matched = np.zeros(len(truth), bool)
    areas = np.prod(truth[:, 2:] - truth[:, :2], axis=1)
    for index in np.argsort(-scores, kind='stable'):
        box = found[index]
        top_left = np.maximum(truth[:, :2], box[:2])
        bottom_right = np.minimum(truth[:, 2:], box[2:])
        inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
        iou = inter / (areas + np.prod(box[2:] - box[:2]) - inter)
        iou[matched | (truth_labels != found_labels[index])] = -1
        best = int(np.argmax(iou))
        if iou[best] >= iou_thr:
            matched[best] = True
    return float(matched.mean())


class SlicingPass(NamedTuple):
    """One way of detecting in a large image and what it found: ``found``
    detections scoring at least the threshold, the ``recall`` of the
    ground truth, ``seconds`` taken to detect (not to draw), and the
    drawing."""
    name: str
    found: int
    recall: float
    seconds: float
    drawn: np.ndarray


def compare_slicing(predictor: DetectionPredictor, image: np.ndarray,
                    truth: np.ndarray, truth_labels: np.ndarray, size: int,
                    overlap: float) -> List[SlicingPass]:
    """Recall of the whole-image pass and of the sliced one on ``image``
    against its ground truth (xyxy boxes and label indices), counting the
    detections that score ``predictor.score_thr`` or more."""
    import time
    sliced = SlicedPredictor(predictor, size, overlap)
    passes = []
    for name, detect in (
            ('whole image', sliced.detect),
            (f'sliced ({size} px, overlap {overlap:g})',
             lambda image: sliced_detections(image, sliced.detect, size,
                                             overlap))):
        start = time.perf_counter()
        boxes, scores, labels = detect(image)
        seconds = time.perf_counter() - start
        confident = scores >= predictor.score_thr
        passes.append(SlicingPass(
            name, int(confident.sum()),
            box_recall(boxes[confident], labels[confident],
                       scores[confident], truth, truth_labels),
            seconds, sliced.drawn(image, boxes, scores, labels)))
    return passes
