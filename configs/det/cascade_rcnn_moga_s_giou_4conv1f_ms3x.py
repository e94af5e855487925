# Cascade R-CNN with GIoU-loss 4conv1fc box heads + MogaNet-S, FPN, 3x
# schedule with multi-scale 480-800 training and the DETR random-crop policy:
# the box-only sibling of cascade_mask_rcnn_moga_s_giou_4conv1f_ms3x.py (no
# published figures). The other sizes inherit this file and state what their
# size changes.
_base_ = [
    './_base_/models/cascade_rcnn_moga_s.py',
    './_base_/datasets/coco_detection_ms_crop.py',
    './_base_/schedules/schedule_3x_adamw.py',
    'mmdet::_base_/default_runtime.py'
]

# The GIoU 4conv1fc box heads, as in the Cascade Mask R-CNN file.
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
