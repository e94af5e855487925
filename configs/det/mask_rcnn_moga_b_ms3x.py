# Mask R-CNN + MogaNet-B, FPN, multi-scale 3x (published: 63.4M params).
_base_ = './mask_rcnn_moga_s_ms3x.py'

model = dict(
    backbone={{_base_.moganet_b}},
    neck=dict(in_channels={{_base_.moganet_b_widths}}))
