# Mask R-CNN + MogaNet-XT, FPN, 1x (published: 22.8M params).
_base_ = './mask_rcnn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_xt}},
    neck=dict(in_channels={{_base_.moganet_xt_widths}}))
