# MogaNet-T ImageNet-1K classification at 256x256: the 224 recipe with 256
# crops; the test image's short side goes to 256 / 0.9 = 284. XT at 256
# inherits this file.
_base_ = './moganet_t_in1k.py'

train_pipeline = [
    dict(step, scale=256) if step.type == 'RandomResizedCrop' else step
    for step in _base_.train_pipeline
]
test_pipeline = [
    _base_.test_pipeline[0],
    dict(_base_.test_pipeline[1], scale=284),  # ResizeEdge
    dict(_base_.test_pipeline[2], crop_size=256),  # CenterCrop
    _base_.test_pipeline[3],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
