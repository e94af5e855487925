# Cascade Mask R-CNN + MogaNet-S, FPN, multi-scale 3x with the random-crop
# policy (paper: 77.9M params, 51.4 box / 44.9 mask mAP): the GIoU config with
# the standard cascade box heads (two shared FCs, smooth L1 loss) instead.
_base_ = './cascade_mask_rcnn_moga_s_giou_4conv1f_ms3x.py'

model = dict(
    roi_head=dict(bbox_head=[
        dict(
            type='Shared2FCBBoxHead',
            in_channels=256,
            fc_out_channels=1024,
            roi_feat_size=7,
            num_classes=80,
            bbox_coder=dict(
                type='DeltaXYWHBBoxCoder',
                target_means=[0., 0., 0., 0.],
                target_stds=stds),
            reg_class_agnostic=True,
            loss_cls=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            loss_bbox=dict(type='SmoothL1Loss', beta=1.0, loss_weight=1.0))
        # Box regression targets get finer at each of the three stages.
        for stds in ([0.1, 0.1, 0.2, 0.2], [0.05, 0.05, 0.1, 0.1],
                     [0.033, 0.033, 0.067, 0.067])
    ]))
