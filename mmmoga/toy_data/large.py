"""Writes toy images far larger than the toy detector's input: a mosaic of
the toy detection scenes, each drawn twice as large, for trying sliced
inference (``tools/infer.py --slice``): the whole image scaled down to the
toy configs' 256 pixels leaves its shapes a few pixels wide, a tile of 640
pixels scaled the same way shows them as large as in training."""
import os
import os.path as osp
from typing import Dict, Tuple

import cv2
import numpy as np

from .coco import mask_annotation, write_coco_images
from .scenes import SHAPE_CLASSES, SceneConfig, make_scene

SPLIT_SEED = (3, )  # distinct from the other toy sets' split seeds
SCENE_SCALE = 2


def _draw_mosaic(rng: np.random.Generator, size: int, cells: int):
    image = np.full((size, size, 3), 110, np.uint8)
    annotations = []
    edges = np.linspace(0, size, cells + 1).astype(int)
    for top, bottom in zip(edges[:-1], edges[1:]):
        for left, right in zip(edges[:-1], edges[1:]):
            scene = make_scene(rng, SceneConfig())
            big = cv2.resize(scene.image, None, fx=SCENE_SCALE,
                             fy=SCENE_SCALE, interpolation=cv2.INTER_LINEAR)
            height = min(bottom - top, big.shape[0])
            width = min(right - left, big.shape[1])
            image[top:top + height, left:left + width] = big[:height, :width]
            for obj in scene.objects:
                mask = np.zeros((size, size), bool)
                mask[top:top + height, left:left + width] = cv2.resize(
                    obj.mask.astype(np.uint8), None, fx=SCENE_SCALE,
                    fy=SCENE_SCALE,
                    interpolation=cv2.INTER_NEAREST)[:height, :width] > 0
                if mask.any():
                    annotations.append(dict(category_id=obj.label + 1,
                                            **mask_annotation(mask)))
    return image, annotations


def write_toy_large(out_dir: str, num_val: int = 1, seed: int = 0,
                    size: int = 4000, cells: int = 5) -> Dict[str, str]:
    """``num_val`` images of ``size`` x ``size`` pixels, each a ``cells`` x
    ``cells`` mosaic of toy detection scenes drawn at twice their size, in
    ``out_dir/val/`` with ``out_dir/annotations/instances_val.json`` (the
    toy detection set's classes). Cells of 768 pixels or more hold a whole
    scene (at most 768 x 704 at twice its size); smaller ones cut scenes,
    and the objects with them."""
    categories = [dict(id=i + 1, name=name, supercategory='shape')
                  for i, name in enumerate(SHAPE_CLASSES)]
    return dict(val=write_coco_images(
        osp.join(out_dir, 'val'),
        osp.join(out_dir, 'annotations', 'instances_val.json'), num_val,
        seed, SPLIT_SEED, lambda rng: _draw_mosaic(rng, size, cells),
        categories, 'mmmoga toy large images'))


def write_toy_video(out_dir: str, num_frames: int = 48, fps: float = 12.,
                    seed: int = 0, size: Tuple[int, int] = (640, 480)
                    ) -> Dict[str, str]:
    """``out_dir/pan.mp4``: a camera's ``size`` (width, height) view
    panning across a mosaic of toy detection scenes drawn at twice their
    size (:func:`write_toy_large`'s), ``num_frames`` frames at ``fps``."""
    width, height = size
    rng = np.random.default_rng([seed, *SPLIT_SEED, 1])
    mosaic, _ = _draw_mosaic(rng, 2 * max(width, height), 3)
    os.makedirs(out_dir, exist_ok=True)
    path = osp.join(out_dir, 'pan.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (width, height))
    # Diagonally from the top-left corner to the bottom-right one.
    travel = np.array([mosaic.shape[1] - width, mosaic.shape[0] - height])
    for index in range(num_frames):
        left, top = (travel * index / max(num_frames - 1, 1)).astype(int)
        writer.write(np.ascontiguousarray(
            mosaic[top:top + height, left:left + width]))
    writer.release()
    return dict(video=path)
