# Cascade Mask R-CNN + MogaNet-S, FPN: mmdet's Cascade Mask R-CNN model with
# MogaNet-S in place of ResNet-50.
_base_ = 'mmdet::_base_/models/cascade-mask-rcnn_r50_fpn.py'

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,  # that of its ImageNet training
        out_indices=(0, 1, 2, 3),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 128, 320, 512]))  # the stage widths
