# The toy shapes dataset (python tools/make_toy_data.py det --out
# data/toy_coco) and the short CPU schedule shared by the toy configs. A toy
# config lists this file in `_base_` next to the full config it modifies and
# takes these values with {{_base_.toy_...}}; every name starts with `toy_`
# so that nothing here collides with the keys of an mmdet config.
toy_data_root = 'data/toy_coco/'
toy_classes = ('circle', 'square', 'triangle')
toy_metainfo = dict(
    classes=toy_classes,
    palette=[(220, 20, 60), (0, 120, 255), (60, 200, 60)])
# The generated images are about 330x300 pixels. The toy Mask R-CNN trained
# and tested at 256 instead of 320 (with 64-channel heads) reached the same
# box and mask mAP over five seeds (README, "The demos' time") with 0.64x the
# pixels per step.
toy_image_scale = (256, 256)

toy_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=toy_image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')
]
toy_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=toy_image_scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
toy_train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    dataset=dict(
        data_root=toy_data_root,
        metainfo=toy_metainfo,
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        pipeline=toy_train_pipeline))
toy_val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    dataset=dict(
        data_root=toy_data_root,
        metainfo=toy_metainfo,
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        pipeline=toy_test_pipeline))
toy_evaluator = dict(ann_file=toy_data_root + 'annotations/instances_val.json')

# Three epochs of 200 iterations; from scratch and with so few steps, a
# higher peak learning rate than ImageNet fine-tuning pays off.
toy_max_epochs = 3
toy_train_cfg = dict(max_epochs=toy_max_epochs, val_interval=toy_max_epochs)
toy_optimizer = dict(lr=1e-3)
toy_param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0,
         end=toy_max_epochs, eta_min_ratio=0.05, convert_to_iter_based=True)
]
toy_default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=toy_max_epochs, max_keep_ckpts=1))
