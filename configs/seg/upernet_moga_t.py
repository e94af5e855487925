# UperNet + MogaNet-T on ADE20K, 512x512, 160k iterations.
_base_ = './upernet_moga_s.py'

model = dict(
    backbone=dict(
        arch='tiny',
        drop_path_rate=0.1,  # that of its ImageNet training
        init_cfg=dict(
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_tiny_sz224_8xbs128_ep300.pth.tar')),
    decode_head=dict(in_channels=[32, 64, 128, 256]),  # the stage widths
    auxiliary_head=dict(in_channels=128))  # the stage-3 width
