"""Writes toy scenes as a COCO instance-segmentation dataset."""
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Tuple

import cv2
import numpy as np

from .scenes import SHAPE_CLASSES, SceneConfig, ToyObject, make_scene

SPLIT_SEEDS = {'train': 0, 'val': 1}


def mask_to_polygons(mask: np.ndarray) -> List[List[float]]:
    """COCO polygons (flat x, y lists) of the outer contours of ``mask``."""
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [c.reshape(-1).astype(float).tolist() for c in contours
            if len(c) >= 3]


def mask_annotation(mask: np.ndarray) -> Dict:
    """The COCO fields of a visible mask: the polygons outline its pixels,
    and area and box are those of the pixels themselves (a polygon through
    boundary-pixel centres is up to a pixel smaller on each side)."""
    ys, xs = np.nonzero(mask)
    x0, y0 = int(xs.min()), int(ys.min())
    return dict(
        segmentation=mask_to_polygons(mask),
        area=float(mask.sum()),
        bbox=[x0, y0, int(xs.max()) - x0 + 1, int(ys.max()) - y0 + 1],
        iscrowd=0)


def object_annotation(obj: ToyObject) -> Dict:
    """COCO annotation of one object, from its visible pixels."""
    return dict(category_id=obj.label + 1, **mask_annotation(obj.mask))


def write_coco_images(out_dir: str, split: str, ann_name: str,
                      num_images: int, seed: int, split_seed: Tuple[int, ...],
                      draw: Callable, categories: List[Dict],
                      description: str) -> str:
    """Writes ``out_dir/{split}/*.jpg`` and
    ``out_dir/annotations/{ann_name}_{split}.json``; returns the json path.

    ``draw(rng)`` returns an image and the COCO annotations of its objects
    (without ids); image ``i`` is drawn with the generator seeded
    ``[seed, *split_seed, i]``, so a split is reproducible image by image,
    whatever the number of images asked for.
    """
    image_dir = osp.join(out_dir, split)
    os.makedirs(image_dir, exist_ok=True)
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    images, annotations = [], []
    for index in range(num_images):
        rng = np.random.default_rng([seed, *split_seed, index])
        image, image_annotations = draw(rng)
        file_name = f'{index:06d}.jpg'
        cv2.imwrite(osp.join(image_dir, file_name), image,
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        height, width = image.shape[:2]
        images.append(dict(id=index + 1, file_name=file_name, width=width,
                           height=height))
        for annotation in image_annotations:
            annotation.update(id=len(annotations) + 1, image_id=index + 1)
            annotations.append(annotation)
    ann_file = osp.join(out_dir, 'annotations', f'{ann_name}_{split}.json')
    with open(ann_file, 'w') as f:
        json.dump(dict(images=images, annotations=annotations,
                       categories=categories,
                       info=dict(description=description, seed=seed)), f)
    return ann_file


def write_coco_split(out_dir: str, split: str, num_images: int, seed: int,
                     config: SceneConfig = SceneConfig()) -> str:
    """Writes ``out_dir/{split}/*.jpg`` and
    ``out_dir/annotations/instances_{split}.json``; returns the json path."""

    def draw(rng):
        scene = make_scene(rng, config)
        annotations = [object_annotation(obj) for obj in scene.objects]
        return scene.image, [a for a in annotations if a['segmentation']]

    categories = [dict(id=i + 1, name=name, supercategory='shape')
                  for i, name in enumerate(SHAPE_CLASSES)]
    return write_coco_images(out_dir, split, 'instances', num_images, seed,
                             (SPLIT_SEEDS[split], ), draw, categories,
                             'mmmoga toy shapes')


def write_toy_coco(out_dir: str, num_train: int = 400, num_val: int = 80,
                   seed: int = 0) -> Dict[str, str]:
    """The toy detection dataset: train and val splits in COCO layout."""
    return {split: write_coco_split(out_dir, split, count, seed)
            for split, count in (('train', num_train), ('val', num_val))}
