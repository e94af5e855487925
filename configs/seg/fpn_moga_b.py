# Semantic FPN + MogaNet-B on ADE20K, 512x512, 80k iterations (published:
# 47.5M params, 49.3 mIoU single-scale).
_base_ = './fpn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_b}},
    neck=dict(in_channels={{_base_.moganet_b_widths}}))
