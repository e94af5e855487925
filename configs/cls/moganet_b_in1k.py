# MogaNet-B ImageNet-1K classification, 224x224 (published: 43.9M params,
# 9.93 GFLOPs, 84.2% top-1; 84.3% in the official README).
_base_ = './moganet_s_in1k.py'

model = dict(
    backbone=dict(arch='base', drop_path_rate=0.2),
    head=dict(in_channels=512))  # the last-stage width
