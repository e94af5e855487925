# RTMPose-style top-down pose estimation with MogaNet-S on COCO keypoints,
# 256x192: MMPose's RTMPose-s recipe with MogaNet-S in place of CSPNeXt. No
# published figure exists for it (the official MogaNet zoo has heatmap heads
# only); the zoo table shows what we count. The other sizes inherit this
# file and state what their size changes: the backbone's arch, drop-path
# rate and ImageNet weights, and the head's input width.
#
# From MMPose's config come the SimCC codec (192x256 input, split ratio 2),
# the RTMCCHead (a 7x7 conv to the keypoints, then a gated attention unit
# over them, decoding x and y as 1-D classifications), the KL loss, the
# augmentation and its second stage (PipelineSwitchHook), EMA, and the
# optimizer: AdamW at 4e-3 without weight decay, none on norms and biases,
# 420 epochs with a cosine second half. RTMPose's only backbone is CSPNeXt,
# so that recipe is kept whole; MogaNet adds no layer-wise decay to it.
_base_ = ('mmpose::body_2d_keypoint/rtmpose/coco/'
          'rtmpose-s_8xb256-420e_coco-256x192.py')

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,  # instead of the base's CSPNeXt
        type='MogaNet',
        arch='small',
        # The drop-path rates of our heatmap pose configs, which follow the
        # official MogaNet pose recipes: 0.1 / 0.15 / 0.2 for XT / T / S.
        drop_path_rate=0.2,
        out_indices=(3, ),  # the head reads the last stage (stride 32)
        # SyncBN, as the base's CSPNeXt and our heatmap pose configs use;
        # mmengine's Runner reverts it to BN outside distributed training.
        stem_norm_cfg=dict(type='SyncBN', requires_grad=True),
        conv_norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=512))  # the last-stage width
