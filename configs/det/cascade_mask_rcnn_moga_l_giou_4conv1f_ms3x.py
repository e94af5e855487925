# Cascade Mask R-CNN (GIoU, 4conv1fc heads) + MogaNet-L, FPN, multi-scale 3x (published: 139.9M params).
_base_ = './cascade_mask_rcnn_moga_s_giou_4conv1f_ms3x.py'

model = dict(
    backbone={{_base_.moganet_l}},
    neck=dict(in_channels={{_base_.moganet_l_widths}}))
