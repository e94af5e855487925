# The toy classification set (python tools/make_toy_data.py cls --out
# data/toy_cls): MMPretrain's CustomDataset layout, three classes of 64x64
# images; CustomDataset finds the classes in the sub-folders (sorted by
# name). The ImageNet settings of the full configs at the toy size.
_base_ = './imagenet_bs128_moganet_224.py'

data_preprocessor = dict(num_classes=3)
# Random crops and flips as in the full configs, at the toy size, without
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
    _base_.test_pipeline[0],
    dict(_base_.test_pipeline[1], scale=71),  # ResizeEdge
    dict(_base_.test_pipeline[2], crop_size=64),  # CenterCrop
    _base_.test_pipeline[3],
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
        train_dataloader['dataset'], data_prefix='val',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# Three classes: top-1 only.
val_evaluator = dict(topk=(1, ))
test_evaluator = val_evaluator
