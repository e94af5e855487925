# Mask R-CNN + MogaNet-S, FPN, 1x schedule on COCO (paper: 45.0M params,
# 46.6 box / 42.2 mask mAP). The other sizes inherit this file.
_base_ = [
    'mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py', '../_base_/moganet.py'
]

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone={{_base_.moganet_s_backbone}},
    neck=dict(in_channels={{_base_.moganet_s_widths}}))

optim_wrapper = {{_base_.moganet_det_optim_wrapper}}

# 8 GPUs x 2 images, as in the paper; `--auto-scale-lr` rescales for others.
auto_scale_lr = dict(base_batch_size=16)
