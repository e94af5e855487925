# MMSegmentation's ADE20K settings, evaluated as the official MogaNet runs
# were: after the keep-ratio resize to (2048, 512), the image is resized to
# the next multiple of 32 (their `AlignResize`), which mmseg 1.x provides as
# `ResizeToMultiple`. Everything else is mmseg's ADE20K base, its
# test-time augmentation (`tta_pipeline`) included.
_base_ = 'mmseg::_base_/datasets/ade20k.py'

test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='ResizeToMultiple', size_divisor=32),
    # Loaded after the resizes: predictions are scored at the original size.
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
