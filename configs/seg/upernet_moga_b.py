# UperNet + MogaNet-B on ADE20K, 512x512, 160k iterations (published:
# 73.7M params, 50.1 mIoU single-scale).
_base_ = './upernet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_b}},
    decode_head=dict(in_channels={{_base_.moganet_b_widths}}),
    auxiliary_head=dict(in_channels=320))  # the stage-3 width
