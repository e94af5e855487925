# MogaNet-S top-down heatmap on COCO keypoints, 384x288 input (published:
# 29.0M params, 13.5 GFLOPs, 76.4 AP). The MogaNet pose base at the larger
# input: 72x96 heatmaps, still sigma 2 as the official configs had (MMPose's
# own 384x288 configs use 3). The other sizes at 384x288 inherit this file.
_base_ = './_base_/topdown_heatmap_moga_coco.py'

codec = dict(
    type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=2)
model = dict(head=dict(decoder=codec))

# The base's pipelines with the codec above.
train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
