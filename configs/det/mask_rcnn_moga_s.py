# Mask R-CNN + MogaNet-S, FPN, 1x schedule on COCO. The other sizes inherit
# this file and state what their size changes: the backbone's arch, drop-path
# rate and ImageNet weights, and the FPN's input widths.
_base_ = [
    './_base_/models/mask_rcnn_moga_s.py',
    'mmdet::_base_/datasets/coco_instance.py',
    './_base_/schedules/schedule_1x_adamw.py',
    'mmdet::_base_/default_runtime.py'
]
