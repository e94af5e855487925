# Cascade R-CNN with GIoU-loss 4conv1fc box heads + MogaNet-S, FPN, 3x
# schedule with multi-scale 480-800 training and the DETR random-crop policy.
# The paper has no Cascade R-CNN figure: the zoo table shows only what we
# count and measure. The other sizes inherit this file and state what their
# size changes.
#
# It inherits the Cascade Mask R-CNN file because the backbone, box heads,
# optimizer, augmentation and schedule are the same; only the mask branch and
# the mask loading go, as in mmdet's cascade-rcnn_r50_fpn.py model.
_base_ = './cascade_mask_rcnn_moga_s_giou_4conv1f_ms3x.py'

model = dict(
    data_preprocessor=dict(pad_mask=False),  # no masks to pad
    roi_head=dict(mask_roi_extractor=None, mask_head=None),
    # The three stages as mmdet's Cascade R-CNN trains them (no mask_size):
    # the IoU that makes a proposal positive rises from stage to stage.
    train_cfg=dict(rcnn=[
        dict(
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=iou,
                neg_iou_thr=iou,
                min_pos_iou=iou,
                match_low_quality=False,
                ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler',
                num=512,
                pos_fraction=0.25,
                neg_pos_ub=-1,
                add_gt_as_proposals=True),
            pos_weight=-1,
            debug=False) for iou in (0.5, 0.6, 0.7)
    ]),
    test_cfg=dict(
        rcnn=dict(
            _delete_=True,  # no mask threshold
            score_thr=0.05,
            nms=dict(type='nms', iou_threshold=0.5),
            max_per_img=100)))

# The base's multi-scale and random-crop policy, loading boxes only.
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomFlip', prob=0.5),
    dict(
        type='RandomChoice',
        transforms=[
            [
                dict(
                    type='RandomChoiceResize',
                    scales=[(short, 1333) for short in range(480, 801, 32)],
                    keep_ratio=True)
            ],
            [
                dict(
                    type='RandomChoiceResize',
                    scales=[(400, 1333), (500, 1333), (600, 1333)],
                    keep_ratio=True),
                dict(
                    type='RandomCrop',
                    crop_type='absolute_range',
                    crop_size=(384, 600),
                    allow_negative_crop=True),
                dict(
                    type='RandomChoiceResize',
                    scales=[(short, 1333) for short in range(480, 801, 32)],
                    keep_ratio=True)
            ],
        ]),
    dict(type='PackDetInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor'))
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(metric='bbox')
test_evaluator = val_evaluator
