# Mask R-CNN + MogaNet-B, FPN, 1x (published: 63.4M params).
_base_ = './mask_rcnn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_b}},
    neck=dict(in_channels={{_base_.moganet_b_widths}}))
