# DINO (4 scales) + MogaNet-B on COCO, 12 epochs (no published figure).
_base_ = './dino_4scale_moga_s.py'

model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.2,  # that of its ImageNet training
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_base_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[160, 320, 512]))  # the widths of stages 2-4
