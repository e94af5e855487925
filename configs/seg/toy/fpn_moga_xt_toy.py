# Semantic FPN + MogaNet-XT on the toy segmentation dataset (python
# tools/make_toy_data.py seg --out data/toy_ade: ADE20K's layout and label
# convention, six classes), trained from scratch on a CPU. Only data, crop
# size, schedule and what CPU speed forces (narrower FPN and head, fused
# AdamW) differ from ../fpn_moga_xt.py. upernet_moga_xt_toy.py has the same
# data and schedule.
_base_ = '../fpn_moga_xt.py'

# 96x96 crops: in about the same CPU time, 900 iterations on 96x96 crops
# learn the textures far better than 500 on 128x128 (toy val mIoU, seeds 0
# and 1: 71 and 79 vs 70 and 60; 700 iterations on 96x96: 63 and 62, stripes
# taken for dots).
crop_size = (96, 96)
model = dict(
    data_preprocessor=dict(size=crop_size),
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(out_channels=96),
    decode_head=dict(in_channels=[96, 96, 96, 96], channels=64, num_classes=6))

# `test_pipeline` is also read by mmseg.apis.inference_model (the inferencer
# and the tools read the test dataloader's). ADE20K's pipelines, and its
# multi-scale test, would resize the toy images to 2048x512: these resize
# the short side to 136, about that of the generated images.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1024, 136), keep_ratio=True),
    dict(type='ResizeToMultiple', size_divisor=32),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
# The multi-scale + flip test of the full configs, around the toy scale.
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(
                    type='Resize',
                    scale=(int(1024 * r), int(136 * r)),
                    keep_ratio=True) for r in [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
            ],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ],
            [dict(type='ResizeToMultiple', size_divisor=32)],
            [dict(type='LoadAnnotations', reduce_zero_label=True)],
            [dict(type='PackSegInputs')],
        ])
]
# ADE20K's dataset class has ADE20K's 150 classes; the generic one takes the
# toy classes with the same file layout and label convention. The training
# pipeline is mmseg's ADE20K one with a narrower scale range and without the
# photometric distortion: a few hundred iterations from scratch leave no
# room for learning to undo them.
data_root = 'data/toy_ade/'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=(1024, 136),
        ratio_range=(0.75, 1.25),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(
        _delete_=True,
        type='BaseSegDataset',
        data_root=data_root,
        metainfo=dict(
            classes=('circle', 'square', 'triangle', 'stripes', 'checks',
                     'dots'),
            palette=[[220, 20, 60], [0, 120, 255], [60, 200, 60],
                     [255, 190, 0], [150, 60, 230], [0, 200, 200]]),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        reduce_zero_label=True,
        data_prefix=dict(
            img_path='images/training', seg_map_path='annotations/training'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=1,
    dataset=dict(
        _delete_=True,
        type='BaseSegDataset',
        data_root=data_root,
        metainfo=dict(
            classes=('circle', 'square', 'triangle', 'stripes', 'checks',
                     'dots'),
            palette=[[220, 20, 60], [0, 120, 255], [60, 200, 60],
                     [255, 190, 0], [150, 60, 230], [0, 200, 200]]),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        reduce_zero_label=True,
        data_prefix=dict(
            img_path='images/validation',
            seg_map_path='annotations/validation'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

# From scratch and with few steps, a higher peak learning rate than ImageNet
# fine-tuning pays off; a 50-iteration warm-up, then the recipe's poly decay.
train_cfg = dict(max_iters=900, val_interval=900)
# torch's fused AdamW: the toy UperNet's iterations took 0.34 s against
# 0.355 s with the default AdamW (2 CPU cores, two rounds taking turns).
optim_wrapper = dict(optimizer=dict(lr=3e-3, fused=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=50),
    dict(type='PolyLR', eta_min=0., power=1.0, begin=50, end=900,
         by_epoch=False)
]
auto_scale_lr = dict(base_batch_size=8)  # the toy batch
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=900, max_keep_ckpts=1))
randomness = dict(seed=0)
