# Semantic FPN + MogaNet-L on ADE20K, 512x512, 80k iterations (published:
# 86.2M params, 50.2 mIoU single-scale).
_base_ = './fpn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_l}},
    neck=dict(in_channels={{_base_.moganet_l_widths}}))
