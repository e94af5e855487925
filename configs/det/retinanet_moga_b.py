# RetinaNet + MogaNet-B, FPN, 1x.
_base_ = './retinanet_moga_s.py'

model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.2,  # that of its ImageNet training
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_base_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 160, 320, 512]))  # the stage widths
