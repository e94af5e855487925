# MogaNet-S top-down heatmap on COCO keypoints, 256x192 input (published:
# 29.0M params, 6.0 GFLOPs, 74.9 AP). Everything is in the MogaNet pose base;
# the other sizes at 256x192 inherit this file.
_base_ = './_base_/topdown_heatmap_moga_coco.py'
