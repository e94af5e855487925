# Mask R-CNN + MogaNet-XT on the toy shapes dataset, trained from scratch on a
# CPU in minutes (`make demo`). Only data, image size, schedule and what CPU
# speed forces (narrower FPN and heads; fewer proposals, RoI samples and
# RoIAlign samples) differ from ../mask_rcnn_moga_xt.py; the data and
# schedule are in _base_/toy_coco.py.
_base_ = ['../mask_rcnn_moga_xt.py', './_base_/toy_coco.py']

# FPN and head channels (256 in the full-size model). At 96 the FPN and the
# RPN head cost about as many FLOPs as the backbone; 64 (with 256-pixel
# images) reached the same mAP over five seeds, and steps take 0.88x as long
# as with 96 (both at 320 px).
width = 64
num_classes = 3
roi_layer = dict(sampling_ratio=2, use_torchvision=True)

model = dict(
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(
        # Two bilinear samples per bin side, as torchvision's Mask R-CNN,
        # instead of mmdet's adaptive count: the CPU RoIAlign is a
        # single-threaded loop over every sample. mmcv computes it with
        # torchvision's kernel, whose outputs and gradients are identical
        # and which is faster on the CPU (toy step at 320 px and 96 channels:
        # 0.73 -> 0.70 s).
        bbox_roi_extractor=dict(out_channels=width, roi_layer=roi_layer),
        bbox_head=dict(
            in_channels=width, fc_out_channels=256, num_classes=num_classes),
        mask_roi_extractor=dict(out_channels=width, roi_layer=roi_layer),
        mask_head=dict(
            in_channels=width, conv_out_channels=width,
            num_classes=num_classes)),
    train_cfg=dict(
        rpn_proposal=dict(nms_pre=1000, max_per_img=200),
        rcnn=dict(sampler=dict(num=64))),
    test_cfg=dict(
        rpn=dict(nms_pre=500, max_per_img=200),
        rcnn=dict(max_per_img=50)))

train_dataloader = {{_base_.toy_train_dataloader}}
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
val_evaluator = {{_base_.toy_evaluator}}
test_evaluator = val_evaluator

train_cfg = {{_base_.toy_train_cfg}}
optim_wrapper = dict(optimizer={{_base_.toy_optimizer}})
param_scheduler = {{_base_.toy_param_scheduler}}
auto_scale_lr = dict(base_batch_size=2)
default_hooks = {{_base_.toy_default_hooks}}
randomness = dict(seed=0)
