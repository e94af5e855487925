# MogaNet-XT top-down heatmap on COCO keypoints, 384x288 input.
_base_ = './topdown_heatmap_moga_s_384x288.py'

model = dict(
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.1,  # that of the official pose config
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_xtiny_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=192))  # the last-stage width
