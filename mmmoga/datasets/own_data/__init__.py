"""A user's dataset of each task, surveyed before a config is written for
it (``tools/dataset_config.py``): every path checked, the classes (or
keypoints) read in the order the libraries number them, and counted."""
from .cls import (
                  ClassificationSplit,
                  survey_annotation_list,
                  survey_class_folders,
)
from .common import count_table, distinct_colours, require_folder
from .det import CocoInstancesSplit, survey_coco_instances
from .pose import (
                  DEFAULT_SIGMA,
                  KeypointSplit,
                  mirrored_pairs,
                  parse_flip_pairs,
                  pose_dataset_meta,
                  survey_coco_keypoints,
)
from .seg import SegmentationSplit, image_suffix, survey_segmentation

__all__ = [
    'ClassificationSplit', 'survey_annotation_list', 'survey_class_folders',
    'count_table', 'distinct_colours', 'require_folder', 'CocoInstancesSplit',
    'survey_coco_instances',
    'DEFAULT_SIGMA', 'KeypointSplit', 'mirrored_pairs', 'parse_flip_pairs',
    'pose_dataset_meta', 'survey_coco_keypoints', 'SegmentationSplit',
    'image_suffix', 'survey_segmentation'
]
