# MogaNet-XT classifying the toy shapes (python tools/make_toy_data.py cls
# --out data/toy_cls: MMPretrain's CustomDataset layout, three classes of
# 64x64 images), trained from scratch on a CPU in minutes (`make demo-cls`).
# Only data, input size, schedule and what CPU speed forces (no RandAugment,
# random erasing, Mixup or CutMix; three classes) differ from
# ../moganet_xt_in1k.py.
_base_ = '../moganet_xt_in1k.py'

data_preprocessor = dict(num_classes=3)
model = dict(head=dict(num_classes=3), train_cfg=dict(_delete_=True))

# CustomDataset finds the classes in the sub-folders (sorted by name). Random
# crops and flips as in the full configs, at the toy size, without
# RandAugment and random erasing: a few hundred steps from scratch leave no
# room for learning to see through them.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='RandomResizedCrop',
        scale=64,
        crop_ratio_range=(0.5, 1.0),
        backend='pillow',
        interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# The full configs' test crop ratio 0.9: the short side to 64 / 0.9 = 71.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='ResizeEdge',
        scale=71,
        edge='short',
        backend='pillow',
        interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=64),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='data/toy_cls/',
        metainfo=dict(classes=('circle', 'square', 'triangle')),
        data_prefix='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root='data/toy_cls/',
        metainfo=dict(classes=('circle', 'square', 'triangle')),
        data_prefix='val',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator

# From scratch and with few steps: a higher learning rate than the recipe's
# for batch 32, a short warm-up, then the recipe's cosine decay.
train_cfg = dict(max_epochs=7, val_interval=7)
optim_wrapper = dict(optimizer=dict(lr=3e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, end=20),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=7,
        convert_to_iter_based=True)
]
auto_scale_lr = dict(base_batch_size=32)  # the toy batch
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=7, max_keep_ckpts=1))
randomness = dict(seed=0)
