# Mask R-CNN + MogaNet-S, FPN, 3x schedule with multi-scale 480-800 training
# and the DETR random-crop policy. The other sizes inherit this file and state
# what their size changes.
_base_ = [
    './_base_/models/mask_rcnn_moga_s.py',
    './_base_/datasets/coco_instance_ms_crop.py',
    './_base_/schedules/schedule_3x_adamw.py',
    'mmdet::_base_/default_runtime.py'
]
