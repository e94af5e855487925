# Cascade Mask R-CNN with GIoU-loss 4conv1fc box heads + MogaNet-S, FPN, 3x
# schedule with multi-scale 480-800 training and the DETR random-crop policy.
# The other sizes inherit this file and state what their size changes.
_base_ = [
    './_base_/models/cascade_mask_rcnn_moga_s.py',
    './_base_/datasets/coco_instance_ms_crop.py',
    './_base_/schedules/schedule_3x_adamw.py',
    'mmdet::_base_/default_runtime.py'
]

# The box heads of mmdet's ConvNeXt Cascade Mask R-CNN: the base's three
# cascade heads (their regression targets finer at each stage), each with
# four shared 3x3 convs (SyncBN) before one FC, class-specific regression and
# the GIoU loss on the decoded boxes.
model = dict(
    roi_head=dict(bbox_head=[
        dict(
            head,
            type='ConvFCBBoxHead',
            num_shared_convs=4,
            num_shared_fcs=1,
            conv_out_channels=256,
            reg_class_agnostic=False,
            reg_decoded_bbox=True,
            norm_cfg=dict(type='SyncBN', requires_grad=True),
            loss_bbox=dict(type='GIoULoss', loss_weight=10.0))
        for head in _base_.model.roi_head.bbox_head
    ]))
