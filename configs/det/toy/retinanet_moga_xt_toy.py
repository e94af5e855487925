# RetinaNet + MogaNet-XT on the toy shapes dataset's boxes (python
# tools/make_toy_data.py det --out data/toy_coco), trained from scratch on a
# CPU. Only data, image size, schedule and what CPU speed forces (narrower
# FPN and head) differ from ../retinanet_moga_xt.py; the toy set, image size
# and schedule are mask_rcnn_moga_xt_toy.py's.
_base_ = [
    '../_base_/models/retinanet_moga_s.py',
    '../_base_/datasets/toy_coco_detection.py',
    '../_base_/schedules/schedule_toy.py',
    'mmdet::_base_/default_runtime.py'
]

# FPN and head channels: 96 (256 in the full-size model). Three classes.
model = dict(
    # MogaNet-XT without ImageNet weights: the backbone learns from the
    # official random init.
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(in_channels=[32, 64, 96, 192], out_channels=96),  # XT's widths
    bbox_head=dict(in_channels=96, feat_channels=96, num_classes=3),
    test_cfg=dict(nms_pre=500, max_per_img=50))

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=3, max_keep_ckpts=1))
randomness = dict(seed=0)

# Drawings show one label per object (see mask_rcnn_moga_xt_toy.py).
visualizer = dict(type='OneLabelDetVisualizer', iou_thr=0.5)
