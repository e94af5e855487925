# MogaNet-XT top-down heatmap on the toy limb figures (python
# tools/make_toy_data.py pose --out data/toy_coco_pose: COCO's
# person-keypoints layout, 17 keypoints), trained from scratch on a CPU in
# minutes (`make demo-pose`). Only data, input size, schedule and what CPU
# speed forces (a narrower deconv head) differ from
# ../topdown_heatmap_moga_xt_256x192.py. MMPose's configs come whole (model,
# data and schedule in one file), so the toy data is stated here and in
# rtmpose_moga_xt_toy.py rather than in a dataset base.
_base_ = '../topdown_heatmap_moga_xt_256x192.py'

# The input is a quarter of the 256x192 area, still a multiple of MogaNet's
# stride 32; heatmaps at stride 4, as in the full configs.
codec = dict(
    type='MSRAHeatmap', input_size=(96, 128), heatmap_size=(24, 32), sigma=2)
model = dict(
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    # 128-channel deconvs instead of 256.
    head=dict(deconv_out_channels=(128, 128, 128), decoder=codec))

# COCO's dataset class and metainfo: the toy data has COCO's keypoints,
# skeleton and left/right pairs. The full configs' augmentation with
# gentler scaling and rotation (+-30 degrees, scale 0.75-1.25, against
# MMPose's +-80 and 0.5-1.5): the toy figures are tilted by up to 25 degrees
# already, and a few hundred steps from scratch leave no room for learning
# large rotations as well.
data_root = 'data/toy_coco_pose/'
train_pipeline = [
    *_base_.train_pipeline[:4],  # load, box, flip, half body
    dict(
        type='RandomBBoxTransform', scale_factor=(0.75, 1.25),
        rotate_factor=30.),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    *_base_.val_pipeline[:2],  # load, box
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='train/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=1,
    dataset=dict(
        data_root=data_root,
        # Ground-truth boxes: the toy set has no person detector's results.
        bbox_file=None,
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='val/'),
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/person_keypoints_val.json')
test_evaluator = val_evaluator

# From scratch and with few steps: a higher learning rate than the recipe's,
# a short warm-up, and the recipe's two steps at the same fractions of the
# schedule (170 and 200 of 210 epochs).
train_cfg = dict(max_epochs=8, val_interval=8)
optim_wrapper = dict(optimizer=dict(lr=2e-3))
param_scheduler = [
    dict(_base_.param_scheduler[0], end=30, start_factor=0.01),
    dict(_base_.param_scheduler[1], end=8, milestones=[6, 7])
]
auto_scale_lr = dict(base_batch_size=16)  # the toy batch
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=8, max_keep_ckpts=1))
randomness = dict(seed=0)
