# Mask R-CNN + MogaNet-XT, FPN, 1x.
_base_ = './mask_rcnn_moga_s.py'

model = dict(
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.05,  # that of its ImageNet training
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_xtiny_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[32, 64, 96, 192]))  # the stage widths
