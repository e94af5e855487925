# Mask2Former + MogaNet-S on ADE20K, 512x512 crops, 160k iterations. Not in
# the official MogaNet zoo: no published figure; the zoo table shows what
# we count. The other sizes inherit this file and state what their size
# changes: the backbone's arch, drop-path rate and ImageNet weights, and
# the pixel decoder's input widths.
#
# MMSegmentation's Mask2Former ADE20K recipe (the base: pixel decoder, 100
# queries, losses, pipeline, poly schedule; it evaluates as mmseg does, not
# through our aligned UperNet test) with MogaNet-S in place of ResNet-50.
# The optimizer is that of MMSegmentation's Swin Mask2Former configs, the
# nearest backbone it has recipes for (it has none for ConvNeXt): AdamW at
# 1e-4 with weight decay 0.05, gradient clipping at 0.01, the backbone at a
# tenth of the learning rate, and no weight decay on the backbone's norms
# and position embeddings nor on the queries and level embeddings. MogaNet
# has layer scales and element scales where Swin has position embeddings;
# they go without decay too, as in the paper's recipes. The same recipe at
# 512x512 serves the three sizes (Swin-B and L in mmseg train 640x640 crops
# from ImageNet-22k weights, which MogaNet does not have).
_base_ = 'mmseg::mask2former/mask2former_r50_8xb2-160k_ade20k-512x512.py'

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,  # that of its ImageNet training
        out_indices=(0, 1, 2, 3),
        # SyncBN in every norm, as the base's ResNet and our UperNet configs
        # use; BN when training is not distributed.
        stem_norm_cfg=dict(type='SyncBN', requires_grad=True),
        conv_norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    # The pixel decoder's input widths: the stage widths.
    decode_head=dict(in_channels=[64, 128, 320, 512]))

# mmengine gives a parameter the settings of the longest custom key found
# in its name and then skips norm_decay_mult, so the backbone's norms need
# keys longer than 'backbone' to keep their decay at 0 (the Swin configs
# list every block's norm for the same reason). These keys name MogaNet's
# norms (stem BNs, patch-embedding norms, block norms norm1 / norm2, stage
# norms norm1-norm4) and scales; nothing in the head has such names
# (tests/test_mask2former_configs.py checks every parameter's settings).
# configs/det/mask2former_moga_s_lsj_50e.py has the same keys: a config
# cannot inherit across the two libraries' bases.
optim_wrapper = dict(
    constructor='MergedGroupsOptimWrapperConstructor',
    paramwise_cfg=dict(
        custom_keys={
            key: dict(lr_mult=0.1, decay_mult=0.)
            for key in ('patch_embed1.projection.1.',
                        'patch_embed1.projection.4.', 'embed2.norm.',
                        'embed3.norm.', 'embed4.norm.', 'norm1.weight',
                        'norm1.bias', 'norm2.weight', 'norm2.bias',
                        'norm3.weight', 'norm3.bias', 'norm4.weight',
                        'norm4.bias', 'layer_scale_', 'sigma.scale')
        }))
