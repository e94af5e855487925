# MogaNet-S ImageNet-1K classification, 224x224 (published: 25.3M params,
# 4.97 GFLOPs, 83.4% top-1): the official recipe (timm's trainer, the
# arguments of the official TRAINING.md) on MMPretrain. B, L and XL inherit
# this file and state what their size changes (the backbone's arch and
# drop-path rate, the head's input width); T and XT inherit it through
# moganet_t_in1k.py, which changes the recipe where theirs differs.
#
# From MMPretrain's Swin ImageNet bases: bicubic RandomResizedCrop, flip,
# RandAugment rand-m9-mstd0.5-inc1, random erasing 0.25 (per-pixel noise),
# AdamW betas (0.9, 0.999), 1024 images per step with `auto_scale_lr`.
_base_ = [
    'mmpretrain::_base_/datasets/imagenet_bs64_swin_224.py',
    'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py',
    'mmpretrain::_base_/default_runtime.py'
]

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,
        out_indices=(3, )),  # the last stage, pooled by the neck
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,  # the last-stage width
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        # The model's init_cfg below initialises it, as timm did.
        init_cfg=None),
    init_cfg=[dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.)],
    # timm's Mixup: mixup 0.8 or CutMix 1.0, each half of the batches.
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]))

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
train_dataloader = dict(batch_size=128)  # 8 GPUs x 128
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# AdamW lr 1e-3 for batch 1024, weight decay 0.05, none on norms, biases,
# layer scales and element scales (the paper's rule and the authors'
# OpenMixup configs; timm's trainer, which skips only 1-D tensors, would
# decay the 4-D scales). With a paramwise_cfg, mmengine's default
# constructor puts every parameter in a group of its own;
# MergedGroupsOptimWrapperConstructor (mmmoga.engine) merges the groups
# whose settings are equal.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='MergedGroupsOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        bias_decay_mult=0.,
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'scale': dict(decay_mult=0.)
        }))
# 5 linear warm-up epochs from 1e-5, cosine decay to 1e-5 by epoch 300, then
# timm's 10 cool-down epochs at that rate.
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-2,
        by_epoch=True,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-5,
        by_epoch=True,
        begin=5,
        end=300,
        convert_to_iter_based=True)
]
train_cfg = dict(by_epoch=True, max_epochs=310, val_interval=1)
auto_scale_lr = dict(base_batch_size=1024)

# EMA of the weights (decay 0.9999), as the official S/B/L/XL runs.
custom_hooks = [dict(type='EMAHook', momentum=1e-4, priority='ABOVE_NORMAL')]
