# DINO (4 scales) + MogaNet-L on COCO, 12 epochs (no published figure).
_base_ = './dino_4scale_moga_s.py'

model = dict(
    backbone=dict(
        arch='large',
        drop_path_rate=0.3,  # that of its ImageNet training
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_large_sz224_8xbs64_ep300.pth.tar')),
    neck=dict(in_channels=[160, 320, 640]))  # the widths of stages 2-4
