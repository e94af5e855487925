# MogaNet-S for ImageNet-1K: the backbone's last stage, pooled, into a
# linear head, trained with timm's label smoothing, Mixup and CutMix as the
# official recipe. The zoo configs of the other sizes state what their size
# changes: the backbone's arch and drop-path rate, the head's input width.
custom_imports = dict(imports=['mmmoga'], allow_failed_imports=False)

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='MogaNet',
        arch='small',
        drop_path_rate=0.1,
        out_indices=(3, )),  # the last stage, pooled by the neck
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='LinearClsHead',
        num_classes=1000,
        in_channels=512,  # the last-stage width
        loss=dict(
            type='LabelSmoothLoss', label_smooth_val=0.1, mode='original'),
        # The model's init_cfg below initialises it, as timm did.
        init_cfg=None),
    init_cfg=[dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.)],
    # timm's Mixup: mixup 0.8 or CutMix 1.0, each half of the batches.
    train_cfg=dict(augments=[
        dict(type='Mixup', alpha=0.8),
        dict(type='CutMix', alpha=1.0)
    ]))
