# MogaNet-XT ImageNet-1K classification at 256x256 (published in the
# official README: 2.97M params, 1.04 GFLOPs, 77.2% top-1): the XT settings
# of moganet_xt_in1k.py on the 256 pipelines.
_base_ = './moganet_t_in1k_256.py'

model = dict(
    backbone=dict(arch='xtiny', drop_path_rate=0.05),
    head=dict(in_channels=192))  # the last-stage width
optim_wrapper = dict(optimizer=dict(weight_decay=0.03))
