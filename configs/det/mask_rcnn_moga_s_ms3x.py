# Mask R-CNN + MogaNet-S, FPN, 3x schedule (36 epochs, steps at 27 and 33)
# with multi-scale 480-800 training and the DETR random-crop policy
# (paper: 45.0M params, 48.5 box / 43.1 mask mAP). mmdet's ConvNeXt config
# provides exactly that pipeline and schedule. The other sizes inherit this
# file and state what their size changes.
_base_ = ('mmdet::convnext/'
          'mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-3x_coco.py')

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,  # instead of the base's ConvNeXt-T
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

# fp32 by default like the paper (`--amp` turns mixed precision on), and the
# paper's AdamW rule instead of the ConvNeXt layer-wise decay: no weight
# decay on norms, layer scales and element scales. The constructor
# (mmmoga.engine) merges the parameter groups whose settings are equal.
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

auto_scale_lr = dict(base_batch_size=16)
