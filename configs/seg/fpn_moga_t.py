# Semantic FPN + MogaNet-T on ADE20K, 512x512, 80k iterations (published:
# 9.1M params, 43.1 mIoU single-scale).
_base_ = './fpn_moga_s.py'

model = dict(
    backbone={{_base_.moganet_t}},
    neck=dict(in_channels={{_base_.moganet_t_widths}}))
