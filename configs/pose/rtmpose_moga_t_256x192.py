# RTMPose-style head with MogaNet-T on COCO keypoints, 256x192 (no published
# figure; see rtmpose_moga_s_256x192.py).
_base_ = './rtmpose_moga_s_256x192.py'

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.15,
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=256))  # the last-stage width
