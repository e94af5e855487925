# Mask2Former instance segmentation + MogaNet-S on COCO: large-scale
# jittering to 1024x1024 crops, 50 epochs (368,750 iterations of 16
# images). Not in the official MogaNet zoo: no published figure; the zoo
# table shows what we count.
#
# MMDetection's Mask2Former instance recipe (the base: pixel decoder, 100
# queries, losses, LSJ pipeline, schedule) with MogaNet-S in place of
# ResNet-50. The optimizer is that of MMDetection's Swin Mask2Former
# configs, the nearest backbone it has recipes for: AdamW at 1e-4 with
# weight decay 0.05, gradient clipping at 0.01, the backbone at a tenth of
# the learning rate, and no weight decay on the backbone's norms and
# position embeddings nor on the queries and level embeddings. MogaNet has
# layer scales and element scales where Swin has position embeddings; they
# go without decay too, as in the paper's recipes.
_base_ = 'mmdet::mask2former/mask2former_r50_8xb2-lsj-50e_coco.py'

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
    # The pixel decoder's input widths: the stage widths.
    panoptic_head=dict(in_channels=[64, 128, 320, 512]))

# MMDetection's instance config keeps its panoptic parent's `seg` folders
# (annotations/panoptic_*2017/) in the datasets' data_prefix, which
# instance segmentation never reads: without them, the tools' check of the
# data paths does not ask for COCO's panoptic annotations.
train_dataloader = dict(
    dataset=dict(data_prefix=dict(_delete_=True, img='train2017/')))
val_dataloader = dict(
    dataset=dict(data_prefix=dict(_delete_=True, img='val2017/')))
test_dataloader = val_dataloader

# mmengine gives a parameter the settings of the longest custom key found
# in its name and then skips norm_decay_mult, so the backbone's norms need
# keys longer than 'backbone' to keep their decay at 0 (the Swin configs
# list every block's norm for the same reason). These keys name MogaNet's
# norms (stem BNs, patch-embedding norms, block norms norm1 / norm2, stage
# norms norm1-norm4) and scales; nothing in the head has such names
# (tests/test_mask2former_configs.py checks every parameter's settings).
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
