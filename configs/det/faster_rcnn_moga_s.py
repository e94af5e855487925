# Faster R-CNN + MogaNet-S, FPN, 1x schedule on COCO. The paper has no Faster
# R-CNN figure: the zoo table shows only what we count and measure. The other
# sizes inherit this file and state what their size changes.
#
# It inherits the Mask R-CNN file because the backbone, optimizer and
# schedule are the same; only the mask branch and the mask loading go, and
# the model settings become those of mmdet's faster-rcnn_r50_fpn_1x_coco.py.
_base_ = './mask_rcnn_moga_s.py'

model = dict(
    type='FasterRCNN',
    data_preprocessor=dict(pad_mask=False),  # no masks to pad
    roi_head=dict(mask_roi_extractor=None, mask_head=None),
    # mmdet's Faster R-CNN settings: no mask_size to train or mask threshold
    # to test with, and no low-quality matches for the RoI head's assigner.
    train_cfg=dict(
        rcnn=dict(
            _delete_=True,
            assigner=dict(
                type='MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.5,
                min_pos_iou=0.5,
                match_low_quality=False,
                ignore_iof_thr=-1),
            sampler=dict(
                type='RandomSampler',
                num=512,
                pos_fraction=0.25,
                neg_pos_ub=-1,
                add_gt_as_proposals=True),
            pos_weight=-1,
            debug=False)),
    test_cfg=dict(
        rcnn=dict(
            _delete_=True,
            score_thr=0.05,
            nms=dict(type='nms', iou_threshold=0.5),
            max_per_img=100)))

# mmdet's coco_detection pipelines: boxes only.
train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
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
