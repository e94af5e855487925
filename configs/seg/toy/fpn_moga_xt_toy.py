# Semantic FPN + MogaNet-XT on the toy segmentation dataset, trained from
# scratch on a CPU. Only data, crop size, schedule and what CPU speed forces
# (narrower FPN and head, fused AdamW) differ from ../fpn_moga_xt.py; the
# data, schedule and optimizer settings are in _base_/toy_ade.py.
_base_ = ['../fpn_moga_xt.py', './_base_/toy_ade.py']

model = dict(
    data_preprocessor=dict(size={{_base_.toy_crop_size}}),
    # No ImageNet weights: the backbone learns from the official random init.
    backbone=dict(
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(out_channels=96),
    decode_head=dict(
        in_channels=[96, 96, 96, 96],
        channels=64,
        num_classes={{_base_.toy_num_classes}}))

train_dataloader = {{_base_.toy_train_dataloader}}
val_dataloader = {{_base_.toy_val_dataloader}}
test_dataloader = val_dataloader
# `test_pipeline` is read by mmseg.apis.inference_model (the inferencer and
# the tools read the test dataloader's). ADE20K's pipelines, and its
# multi-scale test, would resize the toy images to 2048x512.
test_pipeline = {{_base_.toy_test_pipeline}}
tta_pipeline = {{_base_.toy_tta_pipeline}}

train_cfg = {{_base_.toy_train_cfg}}
optim_wrapper = dict(optimizer={{_base_.toy_optimizer}})
param_scheduler = {{_base_.toy_param_scheduler}}
auto_scale_lr = dict(base_batch_size=8)  # the toy batch
default_hooks = {{_base_.toy_default_hooks}}
randomness = dict(seed=0)
