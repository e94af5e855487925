# Faster R-CNN + MogaNet-S, FPN, 1x schedule on COCO: the box-only sibling of
# mask_rcnn_moga_s.py (no published figures). The other sizes inherit this
# file and state what their size changes.
_base_ = [
    './_base_/models/faster_rcnn_moga_s.py',
    'mmdet::_base_/datasets/coco_detection.py',
    './_base_/schedules/schedule_1x_adamw.py',
    'mmdet::_base_/default_runtime.py'
]
