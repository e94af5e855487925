# MogaNet-T top-down heatmap on COCO keypoints, 256x192 input (published:
# 8.1M params, 2.2 GFLOPs, 73.2 AP).
_base_ = './topdown_heatmap_moga_s_256x192.py'

model = dict(
    backbone={{_base_.moganet_t_pose}},
    head=dict(in_channels=256))  # the last-stage width
