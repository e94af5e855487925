"""Writes toy scenes as a semantic segmentation dataset in ADE20K's layout.

Every pixel is labelled with its class: the shapes of SHAPE_CLASSES and the
textured regions of TEXTURE_CLASSES. The plain background is 0, which
MMSegmentation's ADE20K convention (``reduce_zero_label=True``) ignores, as
it ignores ADE20K's unlabelled pixels. Colours are drawn from one
distribution for every class, so a pixel's class follows from the shape
around it or its texture, never from its colour.
"""
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from .scenes import (
    SHAPE_CLASSES,
    TEXTURE_CLASSES,
    SceneConfig,
    ToyScene,
    make_scene,
)

# Label map values 1..6; 0 is the ignored background.
SEG_CLASSES = SHAPE_CLASSES + TEXTURE_CLASSES
SEG_PALETTE = [(220, 20, 60), (0, 120, 255), (60, 200, 60), (255, 190, 0),
               (150, 60, 230), (0, 200, 200)]
# Small images with many shapes and regions, so that a CPU learns the task in
# minutes: shapes upright and patterns in four orientations; sizes, colours,
# positions and overlaps vary freely.
SEG_SCENES = SceneConfig(
    width_range=(125, 166),
    height_range=(114, 156),
    num_objects=(3, 8),
    size_range=(16., 47.),
    num_clutter=(2, 6),
    num_regions=(1, 3),
    region_radius_range=(21., 47.),
    texture_period_range=(7., 11.),
    texture_angles=(0, 45, 90, 135),
    upright_shapes=True,
    object_grain=4.)
ADE_SPLITS = {'train': 'training', 'val': 'validation'}
# Seeds of the per-image generators: (dataset, split); distinct from the
# detection data's, so the two toy datasets do not share images.
SPLIT_SEEDS = {'train': (1, 0), 'val': (1, 1)}


def label_map(scene: ToyScene) -> np.ndarray:
    """(H, W) uint8 labels: 0 background, then SEG_CLASSES from 1."""
    labels = np.zeros(scene.image.shape[:2], np.uint8)
    for region in scene.regions:
        labels[region.mask] = len(SHAPE_CLASSES) + region.label + 1
    for obj in scene.objects:
        labels[obj.mask] = obj.label + 1
    return labels


def write_ade_split(out_dir: str, split: str, num_images: int, seed: int,
                    config: SceneConfig = SEG_SCENES) -> str:
    """Writes ``images/<split>/*.jpg`` and ``annotations/<split>/*.png``
    (``training`` or ``validation``) under ``out_dir``; returns the
    annotation directory."""
    folder = ADE_SPLITS[split]
    image_dir = osp.join(out_dir, 'images', folder)
    label_dir = osp.join(out_dir, 'annotations', folder)
    os.makedirs(image_dir, exist_ok=True)
    os.makedirs(label_dir, exist_ok=True)
    for index in range(num_images):
        # One generator per image: reproducible image by image.
        rng = np.random.default_rng([seed, *SPLIT_SEEDS[split], index])
        scene = make_scene(rng, config)
        name = f'{index:06d}'
        cv2.imwrite(osp.join(image_dir, name + '.jpg'), scene.image,
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
        cv2.imwrite(osp.join(label_dir, name + '.png'), label_map(scene))
    return label_dir


def write_toy_ade(out_dir: str, num_train: int = 400, num_val: int = 80,
                  seed: int = 0) -> Dict[str, str]:
    """The toy segmentation dataset: train and val splits, ADE20K layout."""
    return {split: write_ade_split(out_dir, split, count, seed)
            for split, count in (('train', num_train), ('val', num_val))}
