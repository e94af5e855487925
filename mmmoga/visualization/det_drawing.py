"""Detections drawn the way a user keeps them: one label per object.

mmdet's detectors suppress overlapping boxes per class, so an object the
model is unsure about carries a box for each class it scores above the
threshold, and a drawing shows two or three overlapping labels. This
visualizer draws, of boxes overlapping by more than ``iou_thr``, the one
that scores highest, whatever its class; the predictions themselves (and so
the metrics) are untouched.

Importing this module imports MMDetection, so ``import mmmoga`` registers
the visualizer by a function that imports it when a config builds one
(:mod:`mmmoga.visualization`).
"""
from typing import Dict, Optional, Tuple, Union

import numpy as np
from mmdet.visualization import DetLocalVisualizer
from torchvision.ops import nms

from .readable import ReadableDrawing


class ReadableDetLocalVisualizer(ReadableDrawing, DetLocalVisualizer):
    """MMDetection's ``DetLocalVisualizer`` (same arguments), readable."""


class OneLabelDetVisualizer(ReadableDetLocalVisualizer):
    """mmdet's ``DetLocalVisualizer`` (same arguments), readable
    (:class:`ReadableDetLocalVisualizer`), drawing one label per object.

    Args:
        iou_thr: Of predicted boxes that overlap by more than this, only the
            highest-scoring one is drawn.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[Dict] = None,
                 save_dir: Optional[str] = None,
                 bbox_color: Union[str, Tuple[int], None] = None,
                 text_color: Union[str, Tuple[int], None] = (200, 200, 200),
                 mask_color: Union[str, Tuple[int], None] = None,
                 line_width: Union[int, float] = 3,
                 alpha: float = 0.8,
                 iou_thr: float = 0.5):
        super().__init__(name=name, image=image, vis_backends=vis_backends,
                         save_dir=save_dir, bbox_color=bbox_color,
                         text_color=text_color, mask_color=mask_color,
                         line_width=line_width, alpha=alpha)
        self.iou_thr = iou_thr

    def add_datasample(self, name, image, data_sample=None, draw_gt=True,
                       draw_pred=True, show=False, wait_time=0,
                       out_file=None, pred_score_thr=0.3, step=0):
        if data_sample is not None and 'pred_instances' in data_sample:
            data_sample = data_sample.clone()
            instances = data_sample.pred_instances
            instances = instances[instances.scores >= pred_score_thr]
            keep = nms(instances.bboxes.float(), instances.scores.float(),
                       self.iou_thr)
            data_sample.pred_instances = instances[keep]
        super().add_datasample(name, image, data_sample, draw_gt, draw_pred,
                               show, wait_time, out_file, pred_score_thr,
                               step)
