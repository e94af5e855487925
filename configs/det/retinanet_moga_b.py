# RetinaNet + MogaNet-B, FPN, 1x (published: 53.5M params).
_base_ = './retinanet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_b}},
    neck=dict(in_channels={{_base_.moganet_b_widths}}))
