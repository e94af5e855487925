# Semantic FPN + MogaNet-S on ADE20K, 512x512 crops, 80k iterations
# (published: 29.1M params, 47.7 mIoU single-scale). The other sizes inherit
# this file and state what their size changes: the backbone's arch,
# drop-path rate and ImageNet weights, and the FPN's input widths.
_base_ = [
    'mmseg::_base_/models/fpn_r50.py', './_base_/ade20k_aligned_test.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py'
]

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,  # the backbone loads its weights through init_cfg
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,  # that of its ImageNet training
        out_indices=(0, 1, 2, 3),
        # SyncBN in every norm. The official segmentation configs asked for
        # it, but their backbone swallowed the argument and trained with
        # per-GPU BN; the keys of the two are identical, so official weights
        # load either way. mmengine's Runner reverts SyncBN to BN when
        # training is not distributed (CPU, one GPU).
        stem_norm_cfg=dict(type='SyncBN', requires_grad=True),
        conv_norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 128, 320, 512]),  # the stage widths
    decode_head=dict(num_classes=150))

# The official recipe (PVT's): AdamW with weight decay on every parameter,
# poly decay (power 0.9) to 0 without warm-up.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4))
param_scheduler = [
    dict(
        type='PolyLR', eta_min=0., power=0.9, begin=0, end=80000,
        by_epoch=False)
]

# 8 GPUs x 4 images (mmseg's ADE20K default per GPU).
auto_scale_lr = dict(base_batch_size=32)
