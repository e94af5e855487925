# UperNet + MogaNet-T on ADE20K, 512x512, 160k iterations (published:
# 33.1M params, 43.7 mIoU single-scale).
_base_ = './upernet_moga_s.py'

model = dict(
    backbone={{_base_.moganet_t}},
    decode_head=dict(in_channels={{_base_.moganet_t_widths}}),
    auxiliary_head=dict(in_channels=128))  # the stage-3 width
