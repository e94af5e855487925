# UperNet with MogaNet-S for ADE20K's 150 classes: MMSegmentation's UperNet
# (pyramid pooling over the four stages, an FCN auxiliary head on stage 3)
# with MogaNet-S in place of ResNet-50. The zoo configs of the other sizes
# state what their size changes: the backbone's arch, drop-path rate and
# ImageNet weights, and the widths the heads read.
_base_ = 'mmseg::_base_/models/upernet_r50.py'

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    pretrained=None,  # the backbone loads its weights through init_cfg
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,  # that of its ImageNet training
        out_indices=(0, 1, 2, 3),
        # SyncBN in every norm, as the official configs asked for (see
        # fpn_moga_s.py); BN when training is not distributed.
        stem_norm_cfg=dict(type='SyncBN', requires_grad=True),
        conv_norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    decode_head=dict(
        in_channels=[64, 128, 320, 512],  # the stage widths
        num_classes=150),
    # On stage 3 (in_index=2), so its width.
    auxiliary_head=dict(in_channels=320, num_classes=150))
