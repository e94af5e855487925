# MogaNet-S top-down heatmap on COCO keypoints, 256x192 input. Everything is in
# the MogaNet pose base; the other sizes at 256x192 inherit this file.
_base_ = './_base_/topdown_heatmap_moga_coco.py'
