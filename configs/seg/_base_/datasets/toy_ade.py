# The toy segmentation set (python tools/make_toy_data.py seg --out
# data/toy_ade): ADE20K's file layout and label convention, six classes.
# The ADE20K settings of the full configs at the toy scale.
_base_ = './ade20k_aligned_test.py'

# 96x96 crops: in about the same CPU time, 900 iterations on 96x96 crops
# learn the textures far better than 500 on 128x128 (toy val mIoU, seeds 0
# and 1: 71 and 79 vs 70 and 60; 700 iterations on 96x96: 63 and 62, stripes
# taken for dots).
crop_size = (96, 96)
data_root = 'data/toy_ade/'
# mmseg's ADE20K training pipeline with a narrower scale range and without
# the photometric distortion: a few hundred iterations from scratch leave no
# room for learning to undo them.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=(1024, 136),
        ratio_range=(0.75, 1.25),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
# The aligned test and its multi-scale + flip test around the toy scale:
# ADE20K's would resize the toy images to 2048x512; these resize the short
# side to 136, about that of the generated images. `test_pipeline` is also
# read by mmseg.apis.inference_model (the inferencer and the tools read the
# test dataloader's).
test_pipeline = [
    dict(step, scale=(1024, 136)) if step.type == 'Resize' else step
    for step in _base_.test_pipeline
]
tta_pipeline = [
    _base_.tta_pipeline[0],
    dict(
        _base_.tta_pipeline[1],
        transforms=[[
            dict(
                type='Resize',
                scale=(int(1024 * r), int(136 * r)),
                keep_ratio=True) for r in [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
        ], *_base_.tta_pipeline[1].transforms[1:]])
]
# ADE20K's dataset class has ADE20K's 150 classes; the generic one takes the
# toy classes with the same file layout and label convention.
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(
        _delete_=True,
        type='BaseSegDataset',
        data_root=data_root,
        metainfo=dict(
            classes=('circle', 'square', 'triangle', 'stripes', 'checks',
                     'dots'),
            palette=[[220, 20, 60], [0, 120, 255], [60, 200, 60],
                     [255, 190, 0], [150, 60, 230], [0, 200, 200]]),
        img_suffix='.jpg',
        seg_map_suffix='.png',
        reduce_zero_label=True,
        data_prefix=dict(
            img_path='images/training', seg_map_path='annotations/training'),
        pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    # The training set's dataset settings on the validation images.
    dataset=dict(
        train_dataloader['dataset'],
        data_prefix=dict(
            img_path='images/validation',
            seg_map_path='annotations/validation'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
