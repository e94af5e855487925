# MogaNet-T ImageNet-1K classification, 224x224 (published: 5.20M params,
# 1.10 GFLOPs, 79.0% top-1). The official light recipe, for T and XT:
# RandAugment rand-m7-mstd0.5-inc1, mixup alpha 0.1 (CutMix 1.0 as for the
# larger sizes), weight decay 0.04, cosine down to 1e-6, no EMA. Config
# inheritance replaces lists rather than merging them, so the training
# pipeline and the schedule are restated with these values.
_base_ = './moganet_s_in1k.py'

model = dict(
    backbone=dict(arch='tiny', drop_path_rate=0.1),
    head=dict(in_channels=256),  # the last-stage width
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.1),
        dict(type='CutMix', alpha=1.0)
    ]))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='RandomResizedCrop',
        scale=224,
        backend='pillow',
        interpolation='bicubic'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    # The light recipe's RandAugment: rand-m7-mstd0.5-inc1.
    dict(
        type='RandAugment',
        policies='timm_increasing',
        num_policies=2,
        total_level=10,
        magnitude_level=7,
        magnitude_std=0.5,
        # The ImageNet mean in BGR, rounded.
        hparams=dict(pad_val=[104, 116, 124], interpolation='bicubic')),
    # The random erasing of every size: 0.25, per-pixel noise.
    dict(
        type='RandomErasing',
        erase_prob=0.25,
        mode='rand',
        min_area_ratio=0.02,
        max_area_ratio=1 / 3,
        fill_color={{_base_.bgr_mean}},
        fill_std={{_base_.bgr_std}}),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(weight_decay=0.04))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-2,
        by_epoch=True,
        end=5,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        eta_min=1e-6,
        by_epoch=True,
        begin=5,
        end=300,
        convert_to_iter_based=True)
]
custom_hooks = []  # no EMA
