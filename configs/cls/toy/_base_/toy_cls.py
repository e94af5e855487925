# The toy classification dataset (python tools/make_toy_data.py cls --out
# data/toy_cls: MMPretrain's CustomDataset layout, three classes of 64x64
# images) and the short CPU schedule shared by the toy configs. A toy config
# lists this file in `_base_` next to the full config it modifies and takes
# these values with {{_base_.toy_...}}; every name starts with `toy_` so that
# nothing here collides with the keys of an mmpretrain config.
toy_data_root = 'data/toy_cls/'
toy_classes = ('circle', 'square', 'triangle')
toy_num_classes = len(toy_classes)
toy_size = 64

# Random crops and flips as in the full configs, at the toy size, without
# RandAugment and random erasing: a few hundred steps from scratch leave no
# room for learning to see through them.
toy_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='RandomResizedCrop',
        scale=toy_size,
        crop_ratio_range=(0.5, 1.0),
        backend='pillow',
        interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
# The full configs' test crop ratio 0.9: the short side to 64 / 0.9 = 71.
toy_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='ResizeEdge',
        scale=71,
        edge='short',
        backend='pillow',
        interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=toy_size),
    dict(type='PackInputs'),
]
# CustomDataset finds the classes in the sub-folders (sorted by name).
toy_dataset = dict(
    _delete_=True,
    type='CustomDataset',
    data_root=toy_data_root,
    metainfo=dict(classes=toy_classes))
toy_train_dataloader = dict(
    batch_size=32,
    num_workers=1,
    dataset=dict(
        toy_dataset, data_prefix='train', pipeline=toy_train_pipeline))
toy_val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    dataset=dict(toy_dataset, data_prefix='val', pipeline=toy_test_pipeline))
# The same as a separate object: mmengine drops `_delete_` from a dict once
# it has merged it, so one dict cannot replace both ImageNet loaders.
toy_test_dataloader = dict(
    toy_val_dataloader,
    dataset=dict(toy_dataset, data_prefix='val', pipeline=toy_test_pipeline))

# From scratch and with few steps: a higher learning rate than the recipe's
# for batch 32, a short warm-up, then the recipe's cosine decay.
toy_max_epochs = 7
toy_train_cfg = dict(max_epochs=toy_max_epochs, val_interval=toy_max_epochs)
toy_optimizer = dict(lr=3e-3)
toy_param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, end=20),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=True,
        begin=0,
        end=toy_max_epochs,
        convert_to_iter_based=True)
]
toy_default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=toy_max_epochs, max_keep_ckpts=1))
