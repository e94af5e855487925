# Mask R-CNN + MogaNet-S, FPN, 3x schedule (36 epochs, steps at 27 and 33)
# with multi-scale 480-800 training and the DETR random-crop policy
# (paper: 45.0M params, 48.5 box / 43.1 mask mAP). mmdet's ConvNeXt config
# provides exactly that pipeline and schedule; the other sizes inherit this.
_base_ = [
    'mmdet::convnext/mask-rcnn_convnext-t-p4-w7_fpn_amp-ms-crop-3x_coco.py',
    '../_base_/moganet.py'
]

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone={{_base_.moganet_s_backbone}},
    neck=dict(in_channels={{_base_.moganet_s_widths}}))

# fp32 by default like the paper (`--amp` turns mixed precision on), and the
# paper's AdamW rule instead of the ConvNeXt layer-wise decay.
optim_wrapper = {{_base_.moganet_det_optim_wrapper}}

auto_scale_lr = dict(base_batch_size=16)
