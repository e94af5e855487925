# MogaNet-T top-down heatmap on COCO keypoints, 256x192 input.
_base_ = './topdown_heatmap_moga_s_256x192.py'

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.15,  # that of the official pose config
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=256))  # the last-stage width
