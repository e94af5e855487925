# MogaNet-T ImageNet-1K classification, 224x224. The official light recipe,
# for T and XT: RandAugment rand-m7-mstd0.5-inc1, mixup alpha 0.1 (CutMix
# 1.0 as for the larger sizes), weight decay 0.04, cosine down to 1e-6, no
# EMA.
_base_ = './moganet_s_in1k.py'

model = dict(
    backbone=dict(arch='tiny', drop_path_rate=0.1),
    head=dict(in_channels=256),  # the last-stage width
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.1),
        dict(type='CutMix', alpha=1.0)
    ]))

# S's training pipeline with RandAugment at magnitude 7 instead of 9.
train_pipeline = [
    dict(step, magnitude_level=7) if step.type == 'RandAugment' else step
    for step in _base_.train_pipeline
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(weight_decay=0.04))
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], eta_min=1e-6)
]
custom_hooks = []  # no EMA
