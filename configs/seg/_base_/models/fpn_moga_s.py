# Semantic FPN with MogaNet-S for ADE20K's 150 classes: MMSegmentation's
# FPN neck and head over the four stages, with MogaNet-S in place of
# ResNet-50. The zoo configs of the other sizes state what their size
# changes: the backbone's arch, drop-path rate and ImageNet weights, and the
# FPN's input widths.
_base_ = 'mmseg::_base_/models/fpn_r50.py'

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    pretrained=None,  # the backbone loads its weights through init_cfg
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,  # that of its ImageNet training
        out_indices=(0, 1, 2, 3),
        # SyncBN in every norm. The official segmentation configs asked for
        # it, but their backbone swallowed the argument and trained with
        # per-GPU BN; the keys of the two are identical, so official weights
        # load either way. mmengine's Runner reverts SyncBN to BN when
        # training is not distributed (CPU, one GPU).
        stem_norm_cfg=dict(type='SyncBN', requires_grad=True),
        conv_norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    neck=dict(in_channels=[64, 128, 320, 512]),  # the stage widths
    decode_head=dict(num_classes=150))
