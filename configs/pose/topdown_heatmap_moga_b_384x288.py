# MogaNet-B top-down heatmap on COCO keypoints, 384x288 input (published:
# 47.4M params, 24.4 GFLOPs, 77.3 AP).
_base_ = './topdown_heatmap_moga_s_384x288.py'

model = dict(
    backbone={{_base_.moganet_b_pose_384x288}},
    head=dict(in_channels=512))  # the last-stage width
