# Top-down heatmap pose estimation with MogaNet on COCO keypoints: the
# official MogaNet recipe (written for MMPose 0.x) on MMPose 1.x. This is
# MogaNet-S at 256x192; topdown_heatmap_moga_s_{256x192,384x288}.py inherit
# it, and every other size inherits the S file of its input size and states
# what its size changes: the backbone's arch, drop-path rate and ImageNet
# weights, and the head's input width.
#
# From MMPose's ResNet-50 config come the MSRA heatmap codec (192x256 input,
# 48x64 heatmaps, sigma 2), the HeatmapHead with three 256-channel deconv
# layers (the official TopdownHeatmapSimpleHead), flip test with shifted
# heatmaps, the training augmentation (random flip, half body, bbox shift
# and scale/rotation: RandomBBoxTransform's defaults are MMPose's port of
# the 0.x scale_factor=0.5, rot_factor=40), 210 epochs with a 500-iteration
# linear warm-up from 1e-3 and steps at epochs 170 and 200, and evaluation
# on the detected person boxes of COCO_val2017_detections_AP_H_56_person.json
# with CocoMetric (OKS NMS 0.9, keypoint score threshold 0.2, as 0.x had).
#
# Ground-truth boxes instead of the detections: add
#   --cfg-options val_dataloader.dataset.bbox_file=None \
#       test_dataloader.dataset.bbox_file=None
_base_ = ('mmpose::body_2d_keypoint/topdown_heatmap/coco/'
          'td-hm_res50_8xb64-210e_coco-256x192.py')

custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    backbone=dict(
        _delete_=True,  # instead of the base's ResNet-50
        type='MogaNet',
        arch='small',
        # The official COCO keypoint recipes train with stronger stochastic
        # depth than ImageNet did: 0.1 / 0.15 / 0.2 / 0.3 for XT / T / S / B,
        # and 0.4 for B at 384x288.
        drop_path_rate=0.2,
        out_indices=(3, ),  # the heatmap head reads the last stage only
        # SyncBN in every norm. The official pose configs asked for it, but
        # their backbone swallowed the argument and trained with per-GPU BN;
        # the keys of the two are identical, so official weights load either
        # way. mmengine's Runner reverts SyncBN to BN when training is not
        # distributed (CPU, one GPU).
        stem_norm_cfg=dict(type='SyncBN', requires_grad=True),
        conv_norm_cfg=dict(type='SyncBN', requires_grad=True),
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
            'download/moganet-in1k-weights/'
            'moganet_small_sz224_8xbs128_ep300.pth.tar')),
    head=dict(in_channels=512))  # the last-stage width

# Adam, lr 1e-3 for 8 GPUs x 32 images; `--auto-scale-lr` rescales it for
# other batch sizes.
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3))
train_dataloader = dict(batch_size=32)
auto_scale_lr = dict(base_batch_size=256)
