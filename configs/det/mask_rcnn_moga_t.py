# Mask R-CNN + MogaNet-T, FPN, 1x.
_base_ = './mask_rcnn_moga_s.py'

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.1,  # that of its ImageNet training
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[32, 64, 128, 256]))  # the stage widths
