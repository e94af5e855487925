# The toy pose dataset (python tools/make_toy_data.py pose --out
# data/toy_coco_pose: COCO's person-keypoints layout, 17 keypoints) and the
# short CPU schedule shared by the toy configs. A toy config lists this file
# in `_base_` next to the full config it modifies and takes these values
# with {{_base_.toy_...}}; every name starts with `toy_` so that nothing here
# collides with the keys of an mmpose config.
toy_data_root = 'data/toy_coco_pose/'
# A quarter of the 256x192 input area, still a multiple of MogaNet's stride
# 32; heatmaps at stride 4, as in the full configs.
toy_codec = dict(
    type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)

# The full configs' augmentation with gentler scaling and rotation (+-30
# degrees, scale 0.75-1.25, against MMPose's +-80 and 0.5-1.5): the toy
# figures are tilted by up to 25 degrees already, and a few hundred steps
# from scratch leave no room for learning large rotations as well.
toy_train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(
        type='RandomBBoxTransform',
        scale_factor=(0.75, 1.25),
        rotate_factor=30.),
    dict(type='TopdownAffine', input_size=toy_codec['input_size']),
    dict(type='GenerateTarget', encoder=toy_codec),
    dict(type='PackPoseInputs')
]
toy_val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=toy_codec['input_size']),
    dict(type='PackPoseInputs')
]
# COCO's dataset class and metainfo: the toy data has COCO's keypoints,
# skeleton and left/right pairs.
toy_dataset = dict(
    type='CocoDataset', data_root=toy_data_root, data_mode='topdown')
toy_train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(
        toy_dataset,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='train/'),
        pipeline=toy_train_pipeline))
toy_val_dataloader = dict(
    batch_size=32,
    num_workers=1,
    dataset=dict(
        toy_dataset,
        # Ground-truth boxes: the toy set has no person detector's results.
        bbox_file=None,
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='val/'),
        test_mode=True,
        pipeline=toy_val_pipeline))
toy_val_evaluator = dict(
    ann_file=toy_data_root + 'annotations/person_keypoints_val.json')

# From scratch and with few steps: a higher learning rate than the recipe's,
# a short warm-up, and the recipe's two steps at the same fractions of the
# schedule (170 and 200 of 210 epochs).
toy_max_epochs = 8
toy_train_cfg = dict(max_epochs=toy_max_epochs, val_interval=toy_max_epochs)
toy_optimizer = dict(lr=2e-3)
toy_param_scheduler = [
    dict(type='LinearLR', begin=0, end=30, start_factor=0.01, by_epoch=False),
    dict(
        type='MultiStepLR',
        begin=0,
        end=toy_max_epochs,
        milestones=[6, 7],
        gamma=0.1,
        by_epoch=True)
]
toy_default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=toy_max_epochs, max_keep_ckpts=1))
