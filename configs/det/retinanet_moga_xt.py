# RetinaNet + MogaNet-XT, FPN, 1x (published: 12.1M params).
_base_ = './retinanet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_xt}},
    neck=dict(in_channels={{_base_.moganet_xt_widths}}))
