# Mask R-CNN + MogaNet-L, FPN, multi-scale 3x.
_base_ = './mask_rcnn_moga_s_ms3x.py'

model = dict(
    backbone=dict(
        arch='large',
        drop_path_rate=0.3,  # that of its ImageNet training
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_large_sz224_8xbs64_ep300.pth.tar')),
    neck=dict(in_channels=[64, 160, 320, 640]))  # the stage widths
