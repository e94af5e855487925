# Mask R-CNN + MogaNet-T, FPN, 1x (published: 25.0M params).
_base_ = './mask_rcnn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_t}},
    neck=dict(in_channels={{_base_.moganet_t_widths}}))
