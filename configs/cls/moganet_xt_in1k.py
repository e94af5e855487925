# MogaNet-XT ImageNet-1K classification, 224x224: the light recipe of MogaNet-T
# with weight decay 0.03.
_base_ = './moganet_t_in1k.py'

model = dict(
    backbone=dict(arch='xtiny', drop_path_rate=0.05),
    head=dict(in_channels=192))  # the last-stage width
optim_wrapper = dict(optimizer=dict(weight_decay=0.03))
