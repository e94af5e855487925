# MogaNet-XT classifying the toy shapes (python tools/make_toy_data.py cls
# --out data/toy_cls), trained from scratch on a CPU in minutes (`make
# demo-cls`): the recipe of ../moganet_xt_in1k.py on the toy data, without
# what CPU speed leaves no room for (RandAugment, random erasing, Mixup,
# CutMix), for 7 epochs.
_base_ = [
    '../_base_/models/moganet_s.py', '../_base_/datasets/toy_cls.py',
    '../_base_/schedules/imagenet_bs1024_adamw_moganet.py',
    'mmpretrain::_base_/default_runtime.py'
]

model = dict(
    backbone=dict(arch='xtiny', drop_path_rate=0.05),
    head=dict(in_channels=192, num_classes=3),  # the last-stage width
    train_cfg=dict(_delete_=True))

# From scratch and with few steps: a higher learning rate than the recipe's
# for batch 32, a short warm-up, then the recipe's cosine decay; XT's weight
# decay, no EMA.
train_cfg = dict(max_epochs=7, val_interval=7)
optim_wrapper = dict(optimizer=dict(lr=3e-3, weight_decay=0.03))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=False, end=20),
    dict(_base_.param_scheduler[1], begin=0, end=7)
]
auto_scale_lr = dict(base_batch_size=32)  # the toy batch
custom_hooks = []  # no EMA
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=7, max_keep_ckpts=1))
randomness = dict(seed=0)
