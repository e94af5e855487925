# MogaNet-S top-down heatmap on COCO keypoints, 384x288 input: the MogaNet
# pose base at the larger input, 72x96 heatmaps, still sigma 2 as the
# official configs had (MMPose's own 384x288 configs use 3). The other sizes
# at 384x288 inherit this file.
_base_ = './_base_/topdown_heatmap_moga_coco.py'

codec = dict(
    type='MSRAHeatmap', input_size=(288, 384), heatmap_size=(72, 96), sigma=2)
model = dict(head=dict(decoder=codec))

# The base's pipelines with the steps that read the codec (from the affine
# transform on) taking the one above.
train_pipeline = [
    *_base_.train_pipeline[:5],  # load, box, flip, half body, box transform
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    *_base_.val_pipeline[:2],  # load, box
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
