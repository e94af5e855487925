# MogaNet-T ImageNet-1K classification at 256x256 (published: 5.20M params,
# 1.44 GFLOPs, 79.6% top-1): the 224 recipe with 256 crops; the test image's
# short side goes to 256 / 0.9 = 284. XT at 256 inherits this file.
_base_ = './moganet_t_in1k.py'

# The 256 crop, named for the DeiT III-style configs that inherit this file.
moganet_train_crop_256 = dict(
    type='RandomResizedCrop',
    scale=256,
    backend='pillow',
    interpolation='bicubic')
train_pipeline = [
    dict(type='LoadImageFromFile'),
    moganet_train_crop_256,
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    {{_base_.moganet_rand_augment}},
    {{_base_.moganet_random_erasing}},
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='ResizeEdge',
        scale=284,
        edge='short',
        backend='pillow',
        interpolation='bicubic'),
    dict(type='CenterCrop', crop_size=256),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
