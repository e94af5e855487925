"""Synthetic datasets for trying every task on a laptop, without downloads."""
from .coco import write_coco_split, write_toy_coco
from .scenes import SHAPE_CLASSES, SceneConfig, ToyObject, ToyScene, make_scene

__all__ = [
    'SHAPE_CLASSES', 'SceneConfig', 'ToyObject', 'ToyScene', 'make_scene',
    'write_coco_split', 'write_toy_coco'
]
