# RetinaNet + MogaNet-XT on the toy shapes dataset (boxes only; the masks of
# the dataset are loaded but unused), trained from scratch on a CPU. Only
# data, image size, schedule and what CPU speed forces (narrower FPN and
# head) differ from ../retinanet_moga_xt.py; the data and schedule are in
# _base_/toy_coco.py.
_base_ = ['../retinanet_moga_xt.py', './_base_/toy_coco.py']

width = 96  # FPN and head channels (256 in the full-size model)

model = dict(
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(out_channels=width),
    bbox_head=dict(in_channels=width, feat_channels=width, num_classes=3),
    test_cfg=dict(nms_pre=500, max_per_img=50))

train_dataloader = {{_base_.toy_train_dataloader}}
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
val_evaluator = {{_base_.toy_evaluator}}
test_evaluator = val_evaluator

train_cfg = {{_base_.toy_train_cfg}}
optim_wrapper = dict(optimizer={{_base_.toy_optimizer}})
param_scheduler = {{_base_.toy_param_scheduler}}
auto_scale_lr = dict(base_batch_size=2)
default_hooks = {{_base_.toy_default_hooks}}
randomness = dict(seed=0)
