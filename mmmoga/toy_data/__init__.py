"""Synthetic datasets for trying every task on a laptop, without downloads."""
from .ade import SEG_CLASSES, SEG_PALETTE, label_map, write_toy_ade
from .coco import write_coco_split, write_toy_coco
from .scenes import (SHAPE_CLASSES, TEXTURE_CLASSES, SceneConfig, ToyObject,
                     ToyRegion, ToyScene, make_scene)

__all__ = [
    'SHAPE_CLASSES', 'TEXTURE_CLASSES', 'SEG_CLASSES', 'SEG_PALETTE',
    'SceneConfig', 'ToyObject', 'ToyRegion', 'ToyScene', 'make_scene',
    'label_map', 'write_coco_split', 'write_toy_coco', 'write_toy_ade'
]
