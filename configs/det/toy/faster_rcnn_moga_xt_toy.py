# Faster R-CNN + MogaNet-XT on the toy shapes dataset (python
# tools/make_toy_data.py det --out data/toy_coco; boxes only: the dataset's
# masks are not loaded), trained from scratch on a CPU. Only data, image
# size, schedule and what CPU speed forces (narrower FPN and heads; fewer
# proposals, RoI samples and RoIAlign samples) differ from
# ../faster_rcnn_moga_xt.py, as in mask_rcnn_moga_xt_toy.py, whose settings
# and reasons these are. `python tools/demo.py det-boxes` trains it on a
# box-only copy of the toy set in another layout, through a config that
# tools/dataset_config.py writes.
_base_ = '../faster_rcnn_moga_xt.py'

# FPN and head channels: 64 (256 in the full-size model). Three classes.
model = dict(
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(out_channels=64),
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

# The generated images are about 330x300 pixels; they are resized to fit
# 256x256, as for the toy Mask R-CNN.
data_root = 'data/toy_coco/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
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

# Three epochs of 200 iterations at the toy Mask R-CNN's learning rate.
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

# Drawings show one label per object (see mask_rcnn_moga_xt_toy.py).
visualizer = dict(type='OneLabelDetVisualizer', iou_thr=0.5)
