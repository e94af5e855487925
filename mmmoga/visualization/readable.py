"""Drawings a person can read, whatever the size of the image.

The task libraries' visualizers draw at the image's own size, so a 64x64
picture gets labels a few pixels high. :class:`ReadableDrawing` renders the
same drawing at a higher resolution instead: a picture whose short side is
under :data:`MIN_SHORT_SIDE` pixels is rendered enlarged to that size, with
boxes, masks, keypoints and labels drawn sharp at the new size, not scaled
up after drawing; labels and lines are kept in proportion to the picture.
It is mixed into each library's visualizer (``Readable<name>``, in the
task's drawing module), which the tools use in place of the config's
(:func:`mmmoga.visualization.use_readable_visualizer`)."""
from typing import Optional, Sequence

import cv2
import numpy as np

# Drawings are rendered with at least this many pixels on their short side.
MIN_SHORT_SIDE = 512
# Labels are at most this fraction of the short side high, lines at most
# this fraction wide.
MAX_TEXT_FRACTION = 1 / 18
MAX_LINE_FRACTION = 1 / 120


def enlargement(height: int, width: int) -> float:
    """How much a ``height`` x ``width`` picture is enlarged for drawing."""
    return max(1.0, MIN_SHORT_SIDE / max(1, min(height, width)))


class ReadableDrawing:
    """Mixed into an mmengine ``Visualizer``: the figure is rendered larger
    than the image by :func:`enlargement` (everything is still drawn in the
    image's own coordinates, so callers see no difference); text sizes and
    line widths, which mmengine takes in points and the callers choose for
    the image's own size, are enlarged with it and capped in proportion to
    the picture."""

    def set_image(self, image: np.ndarray,
                  enlarged_by: Optional[float] = None) -> None:
        """Sets ``image`` to draw on, rendered :func:`enlargement` times
        its size (or ``enlarged_by`` times)."""
        super().set_image(image)
        self.enlargement = enlarged_by or enlargement(self.height,
                                                      self.width)
        # mmengine sizes the figure so that one image pixel is one rendered
        # pixel at `self.dpi`; the image fills the figure at any size.
        self.fig_save.set_size_inches(
            (self.width * self.enlargement + 1e-2) / self.dpi,
            (self.height * self.enlargement + 1e-2) / self.dpi)
        # mmengine's default text size, of the enlarged picture (it also
        # caps line widths at a quarter of it).
        self._default_font_size = self.enlargement * max(
            np.sqrt(self.height * self.width) // 90, 10)

    def _points_for(self, fraction: float) -> float:
        """``fraction`` of the image's short side, in points at the image's
        own size (as the callers size text and lines)."""
        return fraction * min(self.height, self.width) * 72 / self.dpi

    def _capped(self, sizes, fraction: float):
        """``sizes`` (points at the image's own size) capped at ``fraction``
        of the short side, enlarged to the picture."""
        cap = self._points_for(fraction)
        if isinstance(sizes, (int, float)):
            return self.enlargement * min(sizes, cap)
        return [self.enlargement * min(size, cap)
                for size in np.asarray(sizes).tolist()]

    def draw_beside(self, image: np.ndarray, lines: Sequence[str],
                    swatches: Optional[Sequence[Sequence[int]]] = None):
        """Sets ``image`` with a white panel on its right that lists
        ``lines`` (each after a square of its colour in ``swatches``, if
        given), in as many columns as the height needs; the panel is as wide
        as the longest line, which is never cut."""
        height, width = image.shape[:2]
        text_height = min(height, width) * MAX_TEXT_FRACTION
        row_height = 1.6 * text_height
        margin = text_height
        indent = 1.5 * text_height if swatches is not None else 0
        rows = max(1, int((height - margin) // row_height))
        columns = -(-len(lines) // rows)
        # 0.6 of the text height per character: the text is 0.8 of that
        # height, and the average glyph of matplotlib's font is narrower
        # than 0.75 of its size.
        column_width = (indent + 0.6 * text_height * max(map(len, lines)) +
                        margin)
        panel_width = int(np.ceil(columns * column_width + margin))
        # Enlarged as the image alone would be: a panel beside a tall image
        # would make it the short side otherwise.
        self.set_image(np.concatenate(
            [image, np.full((height, panel_width, 3), 255, np.uint8)],
            axis=1), enlarged_by=enlargement(height, width))
        font_size = self._points_for(MAX_TEXT_FRACTION) * 0.8
        for index, line in enumerate(lines):
            left = width + margin + (index // rows) * column_width
            top = margin / 2 + (index % rows) * row_height
            if swatches is not None:
                colour = tuple(swatches[index])
                self.draw_bboxes(
                    np.array([[left, top, left + text_height,
                               top + text_height]]),
                    edge_colors=[colour], face_colors=[colour], alpha=1.0,
                    line_widths=0.1)
            self.draw_texts(
                line, np.array([left + indent, top + text_height / 2]),
                font_sizes=font_size, colors='black',
                vertical_alignments='center')

    # The drawing methods take mmengine's arguments, with line widths and
    # font sizes capped.
    def draw_texts(self, texts, positions, font_sizes=None, colors='g',
                   vertical_alignments='top', horizontal_alignments='left',
                   font_families='sans-serif', bboxes=None,
                   font_properties=None):
        if font_sizes is None:
            font_sizes = self._default_font_size / self.enlargement
        return super().draw_texts(
            texts, positions,
            font_sizes=self._capped(font_sizes, MAX_TEXT_FRACTION),
            colors=colors, vertical_alignments=vertical_alignments,
            horizontal_alignments=horizontal_alignments,
            font_families=font_families, bboxes=bboxes,
            font_properties=font_properties)

    def draw_bboxes(self, bboxes, edge_colors='g', line_styles='-',
                    line_widths=2, face_colors='none', alpha=0.8):
        return super().draw_bboxes(
            bboxes, edge_colors, line_styles,
            self._capped(line_widths, MAX_LINE_FRACTION), face_colors, alpha)

    def draw_lines(self, x_datas, y_datas, colors='g', line_styles='-',
                   line_widths=2):
        return super().draw_lines(
            x_datas, y_datas, colors, line_styles,
            self._capped(line_widths, MAX_LINE_FRACTION))

    def draw_polygons(self, polygons, edge_colors='g', line_styles='-',
                      line_widths=2, face_colors='none', alpha=0.8):
        return super().draw_polygons(
            polygons, edge_colors, line_styles,
            self._capped(line_widths, MAX_LINE_FRACTION), face_colors, alpha)

    def draw_binary_masks(self, binary_masks, colors='g', alphas=0.8):
        # mmengine blends masks into the rendered image (get_image), which
        # is larger than the masks now: they are enlarged to it.
        height, width = self.get_image().shape[:2]
        masks = np.asarray(binary_masks)
        if masks.shape[-2:] != (height, width):
            stack = masks.reshape(-1, *masks.shape[-2:]).astype(np.uint8)
            stack = np.stack([
                cv2.resize(mask, (width, height),
                           interpolation=cv2.INTER_NEAREST) for mask in stack
            ]) if len(stack) else np.zeros((0, height, width), np.uint8)
            masks = stack.astype(bool).reshape(*masks.shape[:-2], height,
                                               width)
        return super().draw_binary_masks(masks, colors, alphas)


# What the halves of a side-by-side test drawing show, left to right.
SIDE_BY_SIDE_CAPTIONS = ('ground truth', 'prediction')


def captioned_side_by_side(image: np.ndarray) -> np.ndarray:
    """``image`` (ground truth in its left half, prediction in its right,
    as the task libraries' visualizers draw a test sample) with a white band
    above that names each half."""
    height, width = image.shape[:2]
    half = width // 2
    band = max(20, round(min(height, half) * 0.08))
    font = cv2.FONT_HERSHEY_SIMPLEX
    thickness = max(1, band // 14)
    # Letters and descenders take 0.6 of the band's height, centred.
    (_, unit_height), unit_baseline = cv2.getTextSize('Ag', font, 1.0,
                                                      thickness)
    scale = 0.6 * band / (unit_height + unit_baseline)
    captioned = np.full((height + band, width, 3), 255, np.uint8)
    captioned[band:] = image
    for index, caption in enumerate(SIDE_BY_SIDE_CAPTIONS):
        (text_width, text_height), baseline = cv2.getTextSize(
            caption, font, scale, thickness)
        origin = (index * half + max(0, (half - text_width) // 2),
                  (band - text_height - baseline) // 2 + text_height)
        cv2.putText(captioned, caption, origin, font, scale, (0, 0, 0),
                    thickness, cv2.LINE_AA)
    return captioned
