# UperNet + MogaNet-XT on ADE20K, 512x512, 160k iterations (published:
# 30.4M params, 42.2 mIoU single-scale).
_base_ = './upernet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_xt}},
    decode_head=dict(in_channels={{_base_.moganet_xt_widths}}),
    auxiliary_head=dict(in_channels=96))  # the stage-3 width
