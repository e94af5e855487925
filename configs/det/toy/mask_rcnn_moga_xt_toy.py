# Mask R-CNN + MogaNet-XT on the toy shapes dataset (python
# tools/make_toy_data.py det --out data/toy_coco), trained from scratch on a
# CPU in minutes (`make demo`). Only data, image size, schedule and what CPU
# speed forces (narrower FPN and heads; fewer proposals, RoI samples and
# RoIAlign samples) differ from ../mask_rcnn_moga_xt.py.
# retinanet_moga_xt_toy.py has the same data and schedule.
_base_ = '../mask_rcnn_moga_xt.py'

# FPN and head channels: 64 (256 in the full-size model). At 96 the FPN and
# the RPN head cost about as many FLOPs as the backbone; 64 (with 256-pixel
# images) reached the same mAP over five seeds, and steps take 0.88x as long
# as with 96 (both at 320 px). Three classes.
model = dict(
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(out_channels=64),
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

# The generated images are about 330x300 pixels. The toy Mask R-CNN trained
# and tested at 256 instead of 320 (with 64-channel heads) reached the same
# box and mask mAP over five seeds with 0.64x the pixels per step.
data_root = 'data/toy_coco/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        metainfo=dict(
            classes=('circle', 'square', 'triangle'),
            palette=[(220, 20, 60), (0, 120, 255), (60, 200, 60)]),
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    dataset=dict(
        data_root=data_root,
        metainfo=dict(
            classes=('circle', 'square', 'triangle'),
            palette=[(220, 20, 60), (0, 120, 255), (60, 200, 60)]),
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator

# Three epochs of 200 iterations; from scratch and with so few steps, a
# higher peak learning rate than ImageNet fine-tuning pays off.
train_cfg = dict(max_epochs=3, val_interval=3)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=3,
         eta_min_ratio=0.05, convert_to_iter_based=True)
]
auto_scale_lr = dict(base_batch_size=2)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=3, max_keep_ckpts=1))
randomness = dict(seed=0)

# Drawings (the demo, tools/test.py --show-dir, tools/infer.py) show one
# label per object: of boxes overlapping by more than iou_thr, the
# highest-scoring; the predictions and the metric are untouched.
visualizer = dict(type='OneLabelDetVisualizer', iou_thr=0.5)
