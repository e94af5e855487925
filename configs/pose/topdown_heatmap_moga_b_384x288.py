# MogaNet-B top-down heatmap on COCO keypoints, 384x288 input.
_base_ = './topdown_heatmap_moga_s_384x288.py'

model = dict(
    backbone=dict(
        arch='base',
        drop_path_rate=0.4,  # the official rate for B at 384x288
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_base_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=512))  # the last-stage width
