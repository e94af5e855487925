# Mask R-CNN + MogaNet-L, FPN, 1x (published: 102.1M params).
_base_ = './mask_rcnn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_l}},
    neck=dict(in_channels={{_base_.moganet_l_widths}}))
