# RetinaNet + MogaNet-S, FPN: mmdet's RetinaNet model with MogaNet-S in place
# of ResNet-50, and its test-time augmentation (`--tta`), as mmdet's
# retinanet_r50_fpn_1x_coco.py has it.
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    'mmdet::retinanet/retinanet_tta.py'
]

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
    # The stage widths. The base's FPN makes P3-P7 from stages 1-3
    # (start_level=1) and the extra levels from the last input feature.
    neck=dict(in_channels=[64, 128, 320, 512]))
