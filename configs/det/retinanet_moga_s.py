# RetinaNet + MogaNet-S, FPN, 1x schedule on COCO (paper: 35.1M params,
# 45.8 box mAP). The other sizes inherit this file.
_base_ = [
    'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py', '../_base_/moganet.py'
]

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone={{_base_.moganet_s_backbone}},
    # P3-P7 from stages 1-3, the extra levels from the last input feature.
    neck=dict(
        in_channels={{_base_.moganet_s_widths}},
        start_level=1,
        add_extra_convs='on_input'))

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor={{_base_.moganet_optim_constructor}},
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg={{_base_.moganet_paramwise_cfg}})

auto_scale_lr = dict(base_batch_size=16)
