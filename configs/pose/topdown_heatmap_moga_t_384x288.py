# MogaNet-T top-down heatmap on COCO keypoints, 384x288 input (published:
# 8.1M params, 4.9 GFLOPs, 75.7 AP).
_base_ = './topdown_heatmap_moga_s_384x288.py'

model = dict(
    backbone={{_base_.moganet_t_pose}},
    head=dict(in_channels=256))  # the last-stage width
