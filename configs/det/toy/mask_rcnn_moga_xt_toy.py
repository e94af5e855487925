# Mask R-CNN + MogaNet-XT on the toy shapes dataset (python
# tools/make_toy_data.py det --out data/toy_coco), trained from scratch on a
# CPU in minutes (`make demo`). Only data, image size, schedule and what CPU
# speed forces (narrower FPN and heads; fewer proposals, RoI samples and
# RoIAlign samples) differ from ../mask_rcnn_moga_xt.py.
_base_ = [
    '../_base_/models/mask_rcnn_moga_s.py',
    '../_base_/datasets/toy_coco_instance.py',
    '../_base_/schedules/schedule_toy.py',
    'mmdet::_base_/default_runtime.py'
]

# FPN and head channels: 64 (256 in the full-size model). At 96 the FPN and
# the RPN head cost about as many FLOPs as the backbone; 64 (with 256-pixel
# images) reached the same mAP over five seeds, and steps take 0.88x as long
# as with 96 (both at 320 px). Three classes.
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
        # Two bilinear samples per bin side, as torchvision's Mask R-CNN,
        # instead of mmdet's adaptive count: the CPU RoIAlign is a
        # single-threaded loop over every sample. mmcv computes it with
        # torchvision's kernel, whose outputs and gradients are identical
        # and which is faster on the CPU (toy step at 320 px and 96 channels:
        # 0.73 -> 0.70 s).
        bbox_roi_extractor=dict(
            out_channels=64,
            roi_layer=dict(sampling_ratio=2, use_torchvision=True)),
        bbox_head=dict(in_channels=64, fc_out_channels=256, num_classes=3),
        mask_roi_extractor=dict(
            out_channels=64,
            roi_layer=dict(sampling_ratio=2, use_torchvision=True)),
        mask_head=dict(in_channels=64, conv_out_channels=64, num_classes=3)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=200),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(
        rpn=dict(nms_pre=500, max_per_img=200),
        rcnn=dict(max_per_img=50)))

default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=3, max_keep_ckpts=1))
randomness = dict(seed=0)

# Drawings (the demo, tools/test.py --show-dir, tools/infer.py) show one
# label per object: of boxes overlapping by more than iou_thr, the
# highest-scoring; the predictions and the metric are untouched.
visualizer = dict(type='OneLabelDetVisualizer', iou_thr=0.5)
