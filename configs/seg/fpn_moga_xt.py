# Semantic FPN + MogaNet-XT on ADE20K, 512x512, 80k iterations (published:
# 6.9M params, 40.3 mIoU single-scale).
_base_ = './fpn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_xt}},
    neck=dict(in_channels={{_base_.moganet_xt_widths}}))
