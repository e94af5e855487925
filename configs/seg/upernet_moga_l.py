# UperNet + MogaNet-L on ADE20K, 512x512, 160k iterations (published:
# 113.2M params, 50.9 mIoU single-scale).
_base_ = './upernet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_l}},
    decode_head=dict(in_channels={{_base_.moganet_l_widths}}),
    auxiliary_head=dict(in_channels=320))  # the stage-3 width
