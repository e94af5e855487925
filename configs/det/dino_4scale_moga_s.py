# DINO (4 feature scales) + MogaNet-S on COCO, 12 epochs. Not in the
# official MogaNet zoo: no published figure; the zoo table shows what we
# count. The other sizes inherit this file and state what their size
# changes: the backbone's arch, drop-path rate and ImageNet weights, and
# the ChannelMapper's input widths.
#
# MMDetection's 4-scale DINO recipe, whole: the deformable encoder and
# decoder, 900 queries with denoising groups, the multi-scale (and crop)
# training pipeline, AdamW at 1e-4 with weight decay 1e-4, gradient clipping
# at 0.1, the backbone at a tenth of the learning rate, and the drop at
# epoch 11. MMDetection's DINO configs for other backbones (Swin-L, and the
# ConvNeXt-V2 one of its projects, the nearest to MogaNet) change only the
# backbone and the neck's widths; so does this one, and it adds no
# layer-wise decay.
_base_ = 'mmdet::dino/dino-4scale_r50_8xb2-12e_coco.py'

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,  # that of its ImageNet training
        # Strides 8, 16 and 32, as the base reads ResNet's last three
        # stages; the ChannelMapper adds the fourth scale (stride 64).
        out_indices=(1, 2, 3),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[128, 320, 512]))  # the widths of stages 2-4

# The recipe's backbone learning rate (a tenth) as one custom key; with a
# paramwise_cfg, MergedGroupsOptimWrapperConstructor (mmmoga.engine) steps
# the parameters in a few groups instead of one group each.
optim_wrapper = dict(constructor='MergedGroupsOptimWrapperConstructor')
