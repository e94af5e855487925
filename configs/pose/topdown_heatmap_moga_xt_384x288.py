# MogaNet-XT top-down heatmap on COCO keypoints, 384x288 input (published:
# 5.6M params, 4.2 GFLOPs, 74.7 AP).
_base_ = './topdown_heatmap_moga_s_384x288.py'

model = dict(
    backbone={{_base_.moganet_xt_pose}},
    head=dict(in_channels=192))  # the last-stage width
