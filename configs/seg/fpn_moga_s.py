# Semantic FPN + MogaNet-S on ADE20K, 512x512 crops, 80k iterations
# (published: 29.1M params, 47.7 mIoU single-scale). The other sizes inherit
# this file.
_base_ = [
    'mmseg::_base_/models/fpn_r50.py', './_base_/ade20k_aligned_test.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py', '../_base_/moganet.py'
]

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

crop_size = (512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,  # the backbone loads its weights through init_cfg
    backbone={{_base_.moganet_s_backbone_syncbn}},
    neck=dict(in_channels={{_base_.moganet_s_widths}}),
    decode_head=dict(num_classes=150))

# The official recipe (PVT's): AdamW with weight decay on every parameter,
# poly decay (power 0.9) to 0 without warm-up.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4))
param_scheduler = [
    dict(
        type='PolyLR', eta_min=0., power=0.9, begin=0, end=80000,
        by_epoch=False)
]

# 8 GPUs x 4 images (mmseg's ADE20K default per GPU).
auto_scale_lr = dict(base_batch_size=32)
