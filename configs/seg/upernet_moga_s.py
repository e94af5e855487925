# UperNet + MogaNet-S on ADE20K, 512x512 crops, 160k iterations (published:
# 55.3M params, 49.2 mIoU single-scale). The other sizes inherit this file
# and state what their size changes: the backbone's arch, drop-path rate and
# ImageNet weights, and the widths the heads read.
_base_ = [
    'mmseg::_base_/models/upernet_r50.py', './_base_/ade20k_aligned_test.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py'
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
        # SyncBN in every norm, as the official configs asked for (see
        # fpn_moga_s.py); BN when training is not distributed.
        stem_norm_cfg=dict(type='SyncBN', requires_grad=True),
        conv_norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    decode_head=dict(
        in_channels=[64, 128, 320, 512],  # the stage widths
        num_classes=150),
    # On stage 3 (in_index=2), so its width.
    auxiliary_head=dict(in_channels=320, num_classes=150))

# AdamW without weight decay on norms, layer scales and element scales, as
# the paper. With a paramwise_cfg, mmengine's default constructor puts every
# parameter in a group of its own; MergedGroupsOptimWrapperConstructor
# (mmmoga.engine) merges the groups whose settings are equal.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='MergedGroupsOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'scale': dict(decay_mult=0.)
        }))
# 1500 linear warm-up iterations from 1e-6, then poly decay (power 1) to 0.
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
        end=1500),
    dict(
        type='PolyLR', eta_min=0., power=1.0, begin=1500, end=160000,
        by_epoch=False)
]

# 8 GPUs x 2 images; `--auto-scale-lr` rescales for other batch sizes.
train_dataloader = dict(batch_size=2)
auto_scale_lr = dict(base_batch_size=16)
