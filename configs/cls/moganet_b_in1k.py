# MogaNet-B ImageNet-1K classification, 224x224.
_base_ = './moganet_s_in1k.py'

model = dict(
    backbone=dict(arch='base', drop_path_rate=0.2),
    head=dict(in_channels=512))  # the last-stage width
