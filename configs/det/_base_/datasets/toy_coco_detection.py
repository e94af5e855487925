# The toy shapes dataset's boxes (python tools/make_toy_data.py det --out
# data/toy_coco) in mmdet's coco_detection.py loaders: three classes in
# images of about 330x300 pixels, resized to fit 256x256. The toy Mask R-CNN
# trained and tested at 256 instead of 320 (with 64-channel heads) reached
# the same box and mask mAP over five seeds with 0.64x the pixels per step.
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

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
    dataset=dict(
        data_root=data_root,
        metainfo=dict(
            classes=('circle', 'square', 'triangle'),
            palette=[(220, 20, 60), (0, 120, 255), (60, 200, 60)]),
        ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'),
        pipeline=train_pipeline))
# The training set's root and classes; its val split.
val_dataloader = dict(
    batch_size=4,
    dataset=dict(
        train_dataloader['dataset'],
        ann_file='annotations/instances_val.json',
        data_prefix=dict(img='val/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
