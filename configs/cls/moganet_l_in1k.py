# MogaNet-L ImageNet-1K classification, 224x224.
_base_ = './moganet_s_in1k.py'

model = dict(
    backbone=dict(arch='large', drop_path_rate=0.3),
    head=dict(in_channels=640))  # the last-stage width
