# ImageNet-1K at 224x224 as the official MogaNet runs read it, 128 images
# per GPU. From MMPretrain's Swin ImageNet base: bicubic RandomResizedCrop,
# flip, RandAugment rand-m9-mstd0.5-inc1, random erasing 0.25 (per-pixel
# noise).
_base_ = 'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py'

# Test crop ratio 0.9, bicubic: the short side to 224 / 0.9 = 248.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='ResizeEdge',
        scale=248,
        edge='short',
        backend='pillow',
        interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackInputs'),
]
train_dataloader = dict(batch_size=128)
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
