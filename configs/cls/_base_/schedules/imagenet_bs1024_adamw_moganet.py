# The official MogaNet ImageNet schedule (timm's trainer, the arguments of
# the official TRAINING.md): AdamW for 1024 images per step, 300 epochs of
# cosine decay and timm's 10 cool-down epochs, EMA of the weights.
_base_ = 'mmpretrain::_base_/schedules/imagenet_bs1024_adamw_swin.py'

# AdamW lr 1e-3 for batch 1024, betas (0.9, 0.999), weight decay 0.05, none
# on norms, biases, layer scales and element scales (the paper's rule and
# the authors' OpenMixup configs; timm's trainer, which skips only 1-D
# tensors, would decay the 4-D scales). With a paramwise_cfg, mmengine's
# default constructor puts every parameter in a group of its own;
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
