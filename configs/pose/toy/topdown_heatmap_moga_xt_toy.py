# MogaNet-XT top-down heatmap on the toy limb figures, trained from scratch
# on a CPU in minutes (`make demo-pose`). Only data, input size, schedule and
# what CPU speed forces (a narrower deconv head) differ from
# ../topdown_heatmap_moga_xt_256x192.py; the data and schedule are in
# _base_/toy_coco_pose.py.
_base_ = ['../topdown_heatmap_moga_xt_256x192.py', './_base_/toy_coco_pose.py']

model = dict(
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    # 128-channel deconvs instead of 256.
    head=dict(
        deconv_out_channels=(128, 128, 128), decoder={{_base_.toy_codec}}))

train_dataloader = {{_base_.toy_train_dataloader}}
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
val_evaluator = {{_base_.toy_val_evaluator}}
test_evaluator = val_evaluator

train_cfg = {{_base_.toy_train_cfg}}
optim_wrapper = dict(optimizer={{_base_.toy_optimizer}})
param_scheduler = {{_base_.toy_param_scheduler}}
auto_scale_lr = dict(base_batch_size=16)  # the toy batch
default_hooks = {{_base_.toy_default_hooks}}
randomness = dict(seed=0)
