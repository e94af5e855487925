# MogaNet-XT top-down heatmap on COCO keypoints, 256x192 input (published:
# 5.6M params, 1.8 GFLOPs, 72.1 AP).
_base_ = './topdown_heatmap_moga_s_256x192.py'

model = dict(
    backbone={{_base_.moganet_xt_pose}},
    head=dict(in_channels=192))  # the last-stage width
