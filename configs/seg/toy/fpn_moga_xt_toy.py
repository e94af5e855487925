# Semantic FPN + MogaNet-XT on the toy segmentation dataset (python
# tools/make_toy_data.py seg --out data/toy_ade), trained from scratch on a
# CPU: the toy data and schedule, MogaNet-XT's widths, and the FPN and its
# head narrowed for CPU speed. upernet_moga_xt_toy.py has the same data and
# schedule.
_base_ = [
    '../_base_/models/fpn_moga_s.py', '../_base_/datasets/toy_ade.py',
    '../_base_/schedules/schedule_toy.py', 'mmseg::_base_/default_runtime.py'
]

model = dict(
    data_preprocessor=dict(size=_base_.crop_size),
    # MogaNet-XT without ImageNet weights: the backbone learns from the
    # official random init.
    backbone=dict(
        arch='xtiny',
        drop_path_rate=0.,
        init_cfg=dict(_delete_=True, type='FanOutNormal', layer='Conv2d')),
    neck=dict(in_channels=[32, 64, 96, 192], out_channels=96),
    decode_head=dict(in_channels=[96, 96, 96, 96], channels=64, num_classes=6))

# The toy schedule is UperNet's; this is the Semantic FPN recipe's AdamW
# (../_base_/schedules/schedule_80k_adamw.py: weight decay on every
# parameter) at the toy schedule's learning rate, fused.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=3e-3, weight_decay=1e-4, fused=True))
