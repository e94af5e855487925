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


def write_coco_images(image_dir: str, ann_file: str, num_images: int,
                      seed: int, split_seed: Tuple[int, ...], draw: Callable,
                      categories: List[Dict], description: str,
                      file_name: Callable[[int], str] = '{:06d}.jpg'.format
                      ) -> str:
    """Writes the images under ``image_dir`` (image ``i`` as
    ``file_name(i)``, which may name subfolders) and their COCO annotations
    to ``ann_file``; returns ``ann_file``.

    ``draw(rng)`` returns an image and the COCO annotations of its objects
    (without ids); image ``i`` is drawn with the generator seeded
    ``[seed, *split_seed, i]``, so a split is reproducible image by image,
    whatever the number of images asked for.
    """
    os.makedirs(osp.dirname(osp.abspath(ann_file)), exist_ok=True)
    images, annotations = [], []
    for index in range(num_images):
        rng = np.random.default_rng([seed, *split_seed, index])
        image, image_annotations = draw(rng)
        name = file_name(index)
        path = osp.join(image_dir, name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, image, [cv2.IMWRITE_JPEG_QUALITY, 92])
        height, width = image.shape[:2]
        images.append(dict(id=index + 1, file_name=name, width=width,
                           height=height))
        for annotation in image_annotations:
            annotation.update(id=len(annotations) + 1, image_id=index + 1)
            annotations.append(annotation)
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
    return write_coco_images(
        osp.join(out_dir, split),
        osp.join(out_dir, 'annotations', f'instances_{split}.json'),
        num_images, seed, (SPLIT_SEEDS[split], ), draw, categories,
        'mmmoga toy shapes')


def write_toy_coco(out_dir: str, num_train: int = 400, num_val: int = 80,
                   seed: int = 0) -> Dict[str, str]:
    """The toy detection dataset: train and val splits in COCO layout."""
    return {split: write_coco_split(out_dir, split, count, seed)
            for split, count in (('train', num_train), ('val', num_val))}


# The box-only toy set names its classes by category ids that are neither
# contiguous nor in file order, as exported datasets often do.
BOX_CATEGORY_IDS = (7, 3, 12)


def write_toy_boxes(out_dir: str, num_train: int = 400, num_val: int = 80,
                    seed: int = 0) -> Dict[str, str]:
    """The toy shapes as a box-only COCO dataset in a layout unlike the
    toy default: ``labels/{split}.json`` (no segmentations; category ids
    :data:`BOX_CATEGORY_IDS`) and ``pictures/{split}/part_<n>/*.jpg``
    (images nested in folders of 100). The images and boxes are those of
    :func:`write_toy_coco` with the same seed."""
    categories = [dict(id=i, name=name, supercategory='shape')
                  for i, name in zip(BOX_CATEGORY_IDS, SHAPE_CLASSES)]

    def draw(rng):
        scene = make_scene(rng, SceneConfig())
        annotations = []
        for obj in scene.objects:
            annotation = mask_annotation(obj.mask)
            if annotation['segmentation']:
                del annotation['segmentation']
                annotation['category_id'] = BOX_CATEGORY_IDS[obj.label]
                annotations.append(annotation)
        return scene.image, annotations

    def nested(index):
        return f'part_{index // 100}/{index:06d}.jpg'

    return {split: write_coco_images(
        osp.join(out_dir, 'pictures', split),
        osp.join(out_dir, 'labels', f'{split}.json'), count, seed,
        (SPLIT_SEEDS[split], ), draw, categories, 'mmmoga toy boxes', nested)
            for split, count in (('train', num_train), ('val', num_val))}
