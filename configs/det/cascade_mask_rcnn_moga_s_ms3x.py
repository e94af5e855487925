# Cascade Mask R-CNN + MogaNet-S, FPN, 3x schedule with multi-scale 480-800
# training and the DETR random-crop policy, with mmdet's standard cascade box
# heads (two shared FCs, smooth L1 loss).
_base_ = [
    './_base_/models/cascade_mask_rcnn_moga_s.py',
    './_base_/datasets/coco_instance_ms_crop.py',
    './_base_/schedules/schedule_3x_adamw.py',
    'mmdet::_base_/default_runtime.py'
]
