# UperNet + MogaNet-S on ADE20K, 512x512 crops, 160k iterations (published:
# 55.3M params, 49.2 mIoU single-scale). The other sizes inherit this file.
_base_ = [
    'mmseg::_base_/models/upernet_r50.py', './_base_/ade20k_aligned_test.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py', '../_base_/moganet.py'
]

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

crop_size = (512, 512)
num_classes = 150
model = dict(
    data_preprocessor=dict(size=crop_size),
    pretrained=None,  # the backbone loads its weights through init_cfg
    backbone={{_base_.moganet_s_backbone_syncbn}},
    decode_head=dict(
        in_channels={{_base_.moganet_s_widths}}, num_classes=num_classes),
    # On stage 3 (in_index=2), so its width.
    auxiliary_head=dict(in_channels=320, num_classes=num_classes))

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor={{_base_.moganet_optim_constructor}},
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg={{_base_.moganet_paramwise_cfg}})
# 1500 linear warm-up iterations from 1e-6, then poly decay (power 1) to 0.
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
        end=1500),
    dict(
        type='PolyLR', eta_min=0., power=1.0, begin=1500, end=160000,
        by_epoch=False)
]

# 8 GPUs x 2 images; `--auto-scale-lr` rescales for other batch sizes.
train_dataloader = dict(batch_size=2)
auto_scale_lr = dict(base_batch_size=16)
