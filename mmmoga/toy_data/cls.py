"""Writes a toy image classification dataset in MMPretrain's ``CustomDataset``
folder layout: ``{train,val}/<class>/<class>_<index>.jpg``.

Three classes: a single circle, square or triangle of random size, rotation,
colour and position on the cluttered backgrounds of the other toy sets.
Every class draws its colours from the same distribution, so the class is
the form. File names carry the class so that every image name is unique
(MMPretrain's visualization hook names its drawings after them).
"""
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np

from .scenes import SHAPE_CLASSES, SceneConfig, make_scene

CLS_CLASSES = SHAPE_CLASSES
IMAGE_SIZE = 64
# One shape, turned at random, with a little clutter around it. (Textured
# patches as further classes were tried: in the few minutes of a CPU demo,
# MogaNet-XT and ResNet-18 alike learnt to tell them from the shapes but not
# from each other, 42-52% top-1 over six classes.)
SHAPE_IMAGES = SceneConfig(
    width_range=(IMAGE_SIZE, IMAGE_SIZE),
    height_range=(IMAGE_SIZE, IMAGE_SIZE),
    num_objects=(1, 1),
    size_range=(26., 52.),
    min_visible=0.8,
    num_clutter=(1, 4),
    object_grain=4.)
# Seeds of the per-image generators: (dataset, split).
SPLIT_SEEDS = {'train': (3, 0), 'val': (3, 1)}


def make_cls_image(rng: np.random.Generator, label: int) -> np.ndarray:
    """A BGR image of class ``CLS_CLASSES[label]``; draws scenes until one
    shows a shape of that class."""
    while True:
        scene = make_scene(rng, SHAPE_IMAGES)
        if scene.objects and scene.objects[0].label == label:
            return scene.image


def write_cls_split(out_dir: str, split: str, num_images: int,
                    seed: int) -> str:
    """Writes ``num_images`` images, the classes in turn, into
    ``out_dir/<split>/<class>/``; returns ``out_dir/<split>``."""
    split_dir = osp.join(out_dir, split)
    for name in CLS_CLASSES:
        os.makedirs(osp.join(split_dir, name), exist_ok=True)
    for index in range(num_images):
        # One generator per image: reproducible image by image.
        rng = np.random.default_rng([seed, *SPLIT_SEEDS[split], index])
        label = index % len(CLS_CLASSES)
        name = CLS_CLASSES[label]
        cv2.imwrite(osp.join(split_dir, name, f'{name}_{index:06d}.jpg'),
                    make_cls_image(rng, label),
                    [cv2.IMWRITE_JPEG_QUALITY, 92])
    return split_dir


def write_toy_cls(out_dir: str, num_train: int = 1200, num_val: int = 240,
                  seed: int = 0) -> Dict[str, str]:
    """The toy classification dataset: train and val splits."""
    return {split: write_cls_split(out_dir, split, count, seed)
            for split, count in (('train', num_train), ('val', num_val))}
