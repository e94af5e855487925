"""Segmentations drawn readable: the image stays visible under the classes,
which are named in a legend beside it.

Importing this module imports MMSegmentation; ``import mmmoga`` registers
the visualizer by a function that imports it on first use
(:mod:`mmmoga.visualization`)."""
from typing import Optional, Sequence

import numpy as np
from mmseg.visualization import SegLocalVisualizer

from .readable import ReadableDrawing


class ReadableSegLocalVisualizer(ReadableDrawing, SegLocalVisualizer):
    """MMSegmentation's ``SegLocalVisualizer`` (same arguments; the opacity
    ``alpha`` is 0.5 by default, where mmseg's 0.8 hides the image), readable
    (:class:`~mmmoga.visualization.readable.ReadableDrawing`), with the
    classes named in a legend beside the image instead of over it, where
    names were cut at the border and hid the regions they named. Ground
    truth and prediction drawn side by side list the same classes (those
    present in either), so that both halves are as wide."""

    def __init__(self, name='visualizer', image=None, vis_backends=None,
                 save_dir=None, classes=None, palette=None,
                 dataset_name=None, alpha: float = 0.5):
        super().__init__(name=name, image=image, vis_backends=vis_backends,
                         save_dir=save_dir, classes=classes, palette=palette,
                         dataset_name=dataset_name, alpha=alpha)
        self._legend_labels = None

    def add_datasample(self, name, image, data_sample=None, draw_gt=True,
                       draw_pred=True, show=False, wait_time=0,
                       out_file=None, step=0, with_labels=True):
        maps = [data_sample.get(key) for key, drawn in (
            ('gt_sem_seg', draw_gt), ('pred_sem_seg', draw_pred))
                if drawn and data_sample is not None]
        maps = [label_map for label_map in maps if label_map is not None]
        self._legend_labels = (np.unique(np.concatenate(
            [label_map.cpu().data.numpy().ravel() for label_map in maps]))
                               if maps else None)
        try:
            super().add_datasample(name, image, data_sample, draw_gt,
                                   draw_pred, show, wait_time, out_file,
                                   step, with_labels)
        finally:
            self._legend_labels = None

    def _draw_sem_seg(self, image: np.ndarray, sem_seg,
                      classes: Sequence[str], palette: Sequence,
                      with_labels: Optional[bool] = True) -> np.ndarray:
        label_map = sem_seg.cpu().data[0].numpy()
        colours = np.array(palette, dtype=np.uint8)
        mask = image.copy()
        for label in np.unique(label_map):
            if label < len(classes):
                mask[label_map == label] = colours[label]
        blended = (image * (1 - self.alpha) +
                   mask * self.alpha).astype(np.uint8)
        listed = (self._legend_labels if self._legend_labels is not None
                  else np.unique(label_map))
        listed = [int(label) for label in listed if label < len(classes)]
        if not with_labels or not listed:
            self.set_image(blended)
        else:
            self.draw_beside(blended, [classes[label] for label in listed],
                             colours[listed].tolist())
        return self.get_image()
