# Cascade Mask R-CNN with GIoU-loss 4conv1fc box heads + MogaNet-S, FPN, 3x
# schedule with multi-scale 480-800 training and the DETR random-crop policy
# (paper: 82.8M params, 51.7 box / 45.1 mask mAP). mmdet's ConvNeXt config
# provides these heads, pipeline and schedule; the other sizes inherit this.
_base_ = ('mmdet::convnext/cascade-mask-rcnn_convnext-t-p4-w7_fpn_'
           '4conv1fc-giou_amp-ms-crop-3x_coco.py')

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,
        type='MogaNet',
        arch='small',
        out_indices=(0, 1, 2, 3),
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 128, 320, 512]))

# fp32 by default like the paper (`--amp` turns mixed precision on); AdamW
# without weight decay on norms, layer scales and element scales instead of
# the ConvNeXt layer-wise decay.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'scale': dict(decay_mult=0.)
        }))

auto_scale_lr = dict(base_batch_size=16)
