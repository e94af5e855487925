# RetinaNet + MogaNet-S, FPN, 1x schedule on COCO. The other sizes inherit this
# file and state what their size changes: the backbone's arch, drop-path rate
# and ImageNet weights, and the FPN's input widths.
_base_ = [
    './_base_/models/retinanet_moga_s.py',
    'mmdet::_base_/datasets/coco_detection.py',
    './_base_/schedules/schedule_1x_adamw.py',
    'mmdet::_base_/default_runtime.py'
]

# The paper's AdamW rule at lr 1e-4 (2e-4 for the R-CNN detectors).
optim_wrapper = dict(optimizer=dict(lr=1e-4))
