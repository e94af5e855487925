# MogaNet-XT* ImageNet-1K classification at 256x256: the refined T* recipe with
# XT's size and weight decay 0.03, as OpenMixup's
# moga_xtiny_deit3_sz256_lr2e_3_8xb128_fp16_ep300.py.
_base_ = './moganet_t_deit3_in1k_256.py'

model = dict(
    backbone=dict(arch='xtiny', drop_path_rate=0.05),
    head=dict(in_channels=192))  # the last-stage width

optim_wrapper = dict(optimizer=dict(weight_decay=0.03))
