# RetinaNet + MogaNet-S, FPN, 1x schedule on COCO (paper: 35.1M params,
# 45.8 box mAP). The other sizes inherit this file and state what their size
# changes: the backbone's arch, drop-path rate and ImageNet weights, and the
# FPN's input widths.
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'

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
    # P3-P7 from stages 1-3, the extra levels from the last input feature.
    neck=dict(
        in_channels=[64, 128, 320, 512],  # the stage widths
        start_level=1,
        add_extra_convs='on_input'))

# AdamW (lr 1e-4) without weight decay on norms, layer scales and element
# scales, as the paper. The constructor (mmmoga.engine) merges the parameter
# groups whose settings are equal.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='MergedGroupsOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'scale': dict(decay_mult=0.)
        }))

auto_scale_lr = dict(base_batch_size=16)
