# MogaNet-B top-down heatmap on COCO keypoints, 256x192 input (published:
# 47.4M params, 10.9 GFLOPs, 75.3 AP).
_base_ = './topdown_heatmap_moga_s_256x192.py'

model = dict(
    backbone={{_base_.moganet_b_pose}},
    head=dict(in_channels=512))  # the last-stage width
