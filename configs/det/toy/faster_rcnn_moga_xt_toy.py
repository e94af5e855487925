# Faster R-CNN + MogaNet-XT on the toy shapes dataset's boxes (python
# tools/make_toy_data.py det --out data/toy_coco), trained from scratch on a
# CPU, with the settings of mask_rcnn_moga_xt_toy.py (whose reasons are given
# there) for all the two share. `python tools/train_toy.py det-boxes` trains it on
# a box-only copy of the toy set in another layout, through a config that
# tools/dataset_config.py writes.
_base_ = [
    '../_base_/models/faster_rcnn_moga_s.py',
    '../_base_/datasets/toy_coco_detection.py',
    '../_base_/schedules/schedule_toy.py',
    'mmdet::_base_/default_runtime.py'
]

# FPN and head channels: 64 (256 in the full-size model). Three classes.
model = dict(
    # MogaNet-XT without ImageNet weights: the backbone learns from the
    # official random init.
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(in_channels=[32, 64, 96, 192], out_channels=64),  # XT's widths
    rpn_head=dict(in_channels=64, feat_channels=64),
    roi_head=dict(
        # Two bilinear samples per bin side with torchvision's kernel: the
        # CPU RoIAlign is a single-threaded loop over every sample.
        bbox_roi_extractor=dict(
            out_channels=64,
            roi_layer=dict(sampling_ratio=2, use_torchvision=True)),
        bbox_head=dict(in_channels=64, fc_out_channels=256, num_classes=3)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=200),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(
        rpn=dict(nms_pre=500, max_per_img=200),
        rcnn=dict(max_per_img=50)))

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=3, max_keep_ckpts=1))
randomness = dict(seed=0)

# Drawings show one label per object (see mask_rcnn_moga_xt_toy.py).
visualizer = dict(type='OneLabelDetVisualizer', iou_thr=0.5)
