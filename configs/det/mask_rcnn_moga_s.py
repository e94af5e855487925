# Mask R-CNN + MogaNet-S, FPN, 1x schedule on COCO (paper: 45.0M params,
# 46.6 box / 42.2 mask mAP). The other sizes inherit this file and state
# what their size changes: the backbone's arch, drop-path rate and ImageNet
# weights, and the FPN's input widths.
_base_ = 'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py'

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,  # that of its ImageNet training
        out_indices=(0, 1, 2, 3),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 128, 320, 512]))  # the stage widths

# AdamW without weight decay on norms, layer scales and element scales, as
# the paper. With a paramwise_cfg, mmengine's default constructor puts every
# parameter in a group of its own; MergedGroupsOptimWrapperConstructor
# (mmmoga.engine) merges the groups whose settings are equal, so the
# optimizer steps a few groups instead of hundreds.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='MergedGroupsOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'scale': dict(decay_mult=0.)
        }))

# 8 GPUs x 2 images, as in the paper; `--auto-scale-lr` rescales for others.
auto_scale_lr = dict(base_batch_size=16)
