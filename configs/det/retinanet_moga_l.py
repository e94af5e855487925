# RetinaNet + MogaNet-L, FPN, 1x (published: 92.4M params).
_base_ = './retinanet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_l}},
    neck=dict(in_channels={{_base_.moganet_l_widths}}))
