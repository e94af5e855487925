"""MMPose's visualizer, readable: a picture smaller than
:data:`~mmmoga.visualization.readable.MIN_SHORT_SIDE` pixels on its short
side is enlarged before the people are drawn on it, their keypoints and
boxes scaled with it. (MMPose draws with OpenCV on the image's own pixels,
so the figure-resolution approach of
:class:`~mmmoga.visualization.readable.ReadableDrawing` does not apply.)

Importing this module imports MMPose; ``import mmmoga`` registers the
visualizer by a function that imports it on first use
(:mod:`mmmoga.visualization`)."""
import cv2
from mmpose.visualization import PoseLocalVisualizer

from .readable import MAX_LINE_FRACTION, enlargement

# Keypoint dots are at most this fraction of the short side across.
MAX_RADIUS_FRACTION = 1 / 80


class ReadablePoseLocalVisualizer(PoseLocalVisualizer):
    """MMPose's ``PoseLocalVisualizer`` (same arguments), readable."""

    def add_datasample(self, name, image, data_sample, draw_gt=True,
                       draw_pred=True, draw_heatmap=False, draw_bbox=False,
                       show_kpt_idx=False, skeleton_style='mmpose',
                       show=False, wait_time=0, out_file=None, kpt_thr=0.3,
                       step=0):
        height, width = image.shape[:2]
        scale = enlargement(height, width)
        radius, line_width = self.radius, self.line_width
        if scale > 1:
            image = cv2.resize(image, (round(width * scale),
                                       round(height * scale)),
                               interpolation=cv2.INTER_CUBIC)
            # The caller's sample stays as it was (clone() is shallow).
            data_sample = data_sample.clone()
            for key in ('gt_instances', 'pred_instances'):
                if key not in data_sample:
                    continue
                instances = data_sample.get(key).clone()
                for field in ('keypoints', 'bboxes'):
                    if field in instances:
                        instances.set_field(
                            instances.get(field) * scale, field)
                data_sample.set_field(instances, key)
            short_side = min(image.shape[:2])
            # OpenCV draws in whole pixels.
            self.radius = round(min(
                radius * scale, max(radius,
                                    short_side * MAX_RADIUS_FRACTION)))
            self.line_width = round(min(
                line_width * scale,
                max(line_width, short_side * MAX_LINE_FRACTION)))
        try:
            return super().add_datasample(
                name, image, data_sample, draw_gt, draw_pred, draw_heatmap,
                draw_bbox, show_kpt_idx, skeleton_style, show, wait_time,
                out_file, kpt_thr, step)
        finally:
            self.radius, self.line_width = radius, line_width
