# MogaNet-T* ImageNet-1K classification at 256x256: the refined recipe of the
# light models, in the style of DeiT III, from the authors' OpenMixup config
# moga_tiny_deit3_sz256_lr2e_3_8xb128_fp16_ep300.py. XT* inherits this file.
#
# What differs from moganet_t_in1k_256.py: 3-Augment (one of grayscale,
# solarisation, Gaussian blur sigma 0.1-2.0 per image) and colour jitter 0.3
# instead of RandAugment and random erasing; lr 2e-3 for batch 1024 after 20
# linear warm-up epochs from 2e-9; 300 epochs without cool-down; precise BN
# statistics (8192 images) before each evaluation; fp16 training with the
# gating in float32. Mixup 0.1 / CutMix 1.0, label smoothing 0.1, weight
# decay 0.04 and the no-decay rule are T's.
#
# The OpenMixup test pipeline resizes to 284 and then crops 224, while its
# table gives the FLOPs of 256 inputs; this config crops 256 (crop ratio 0.9,
# as moganet_t_in1k_256.py does).
_base_ = './moganet_t_in1k_256.py'

model = dict(backbone=dict(attn_force_fp32=True))

train_pipeline = [
    *_base_.train_pipeline[:3],  # load, 256 random resized crop, flip
    # 3-Augment: one of grayscale, solarisation and Gaussian blur per image.
    dict(
        type='RandomChoice',
        transforms=[
            [dict(type='RandomGrayscale', prob=1., keep_channels=True)],
            [dict(type='Solarize', thr=128, prob=1.)],
            [
                # magnitude_std='inf' draws the level uniformly, hence the
                # radius (PIL's sigma) uniformly in magnitude_range.
                dict(
                    type='GaussianBlur',
                    magnitude_range=(0.1, 2.0),
                    magnitude_std='inf',
                    prob=1.)
            ],
        ]),
    dict(type='ColorJitter', brightness=0.3, contrast=0.3, saturation=0.3),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

optim_wrapper = dict(
    type='AmpOptimWrapper', loss_scale='dynamic', optimizer=dict(lr=2e-3))
# 20 linear warm-up epochs from 2e-9, then T's cosine decay to 1e-6.
param_scheduler = [
    dict(_base_.param_scheduler[0], start_factor=1e-6, end=20),
    dict(_base_.param_scheduler[1], begin=20)
]
train_cfg = dict(max_epochs=300)

custom_hooks = [dict(type='PreciseBNHook', num_samples=8192, interval=1)]
