"""Synthetic datasets for trying every task on a laptop, without downloads."""
from .ade import SEG_CLASSES, SEG_PALETTE, label_map, write_toy_ade
from .cls import CLS_CLASSES, make_cls_image, write_toy_cls
from .coco import write_coco_split, write_toy_boxes, write_toy_coco
from .large import write_toy_large, write_toy_video
from .pose import (
                   COCO_FLIP_PAIRS,
                   COCO_KEYPOINTS,
                   COCO_SKELETON,
                   PoseSceneConfig,
                   make_pose_scene,
                   write_toy_coco_pose,
)
from .scenes import (
                   SHAPE_CLASSES,
                   TEXTURE_CLASSES,
                   SceneConfig,
                   ToyObject,
                   ToyRegion,
                   ToyScene,
                   make_scene,
)

__all__ = [
    'SHAPE_CLASSES', 'TEXTURE_CLASSES', 'SEG_CLASSES', 'SEG_PALETTE',
    'SceneConfig', 'ToyObject', 'ToyRegion', 'ToyScene', 'make_scene',
    'label_map', 'write_coco_split', 'write_toy_coco', 'write_toy_boxes',
    'write_toy_ade', 'write_toy_large', 'write_toy_video',
    'COCO_KEYPOINTS', 'COCO_SKELETON', 'COCO_FLIP_PAIRS', 'PoseSceneConfig',
    'make_pose_scene', 'write_toy_coco_pose', 'CLS_CLASSES', 'make_cls_image',
    'write_toy_cls'
]
