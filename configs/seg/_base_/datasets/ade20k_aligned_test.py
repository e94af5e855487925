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

# Multi-scale + flip test (tools/test.py --tta) as mmseg 0.x ran it for the
# official models: each ratio scales (2048, 512), not the image itself as
# mmseg 1.x's ADE20K `tta_pipeline` does, and is aligned to 32 like the
# single-scale test.
tta_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(
                    type='Resize',
                    scale=(int(2048 * r), int(512 * r)),
                    keep_ratio=True) for r in [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
            ],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ],
            [dict(type='ResizeToMultiple', size_divisor=32)],
            [dict(type='LoadAnnotations', reduce_zero_label=True)],
            [dict(type='PackSegInputs')],
        ])
]
