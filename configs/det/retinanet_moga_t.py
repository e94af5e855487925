# RetinaNet + MogaNet-T, FPN, 1x (published: 14.4M params).
_base_ = './retinanet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_t}},
    neck=dict(in_channels={{_base_.moganet_t_widths}}))
