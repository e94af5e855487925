"""Classifications drawn readable: the classes and scores listed beside the
enlarged image.

Importing this module imports MMPretrain; ``import mmmoga`` registers the
visualizer by a function that imports it on first use
(:mod:`mmmoga.visualization`)."""
from typing import Optional, Sequence

import mmcv
import numpy as np
from mmpretrain.visualization import UniversalVisualizer

from .readable import ReadableDrawing


class ReadableUniversalVisualizer(ReadableDrawing, UniversalVisualizer):
    """MMPretrain's ``UniversalVisualizer`` (same arguments), readable: a
    classification's ground truth and prediction are listed beside the
    image (:meth:`visualize_cls`), where MMPretrain writes them over it."""

    def visualize_cls(self, image, data_sample, classes=None, draw_gt=True,
                      draw_pred=True, draw_score=True, resize=None,
                      rescale_factor=None, text_cfg=dict(), show=False,
                      wait_time=0, out_file=None, name='', step=0):
        if text_cfg:  # styles text over the image: MMPretrain's drawing
            return super().visualize_cls(
                image, data_sample, classes, draw_gt, draw_pred, draw_score,
                resize, rescale_factor, text_cfg, show, wait_time, out_file,
                name, step)
        classes = classes or self.dataset_meta.get('classes')
        if resize is not None or rescale_factor is not None:
            image = mmcv.imrescale(
                image, rescale_factor or resize / min(image.shape[:2]))

        def named(index: int) -> str:
            return classes[index] if classes is not None else str(index)

        lines = []
        if draw_gt and 'gt_label' in data_sample:
            lines += [f'ground truth: {named(index)}'
                      for index in data_sample.gt_label.tolist()]
        if draw_pred and 'pred_label' in data_sample:
            for index in data_sample.pred_label.tolist():
                score = (f' {data_sample.pred_score[index].item():.2f}'
                         if draw_score and 'pred_score' in data_sample else
                         '')
                lines.append(f'prediction: {named(index)}{score}')
        self.draw_beside(image, lines or [''])
        drawn = self.get_image()
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step=step)
        return drawn

    def draw_top_classes(self, image: np.ndarray, scores: np.ndarray,
                         classes: Optional[Sequence[str]],
                         top: int = 5) -> np.ndarray:
        """The RGB ``image`` with the ``top`` classes of ``scores`` (one per
        class) and their scores listed beside it, best first."""
        best = np.argsort(-scores)[:top]
        self.draw_beside(image, [
            f'{scores[index]:.2f}  '
            f'{classes[index] if classes is not None else index}'
            for index in best
        ])
        return self.get_image()
