# UperNet + MogaNet-XT on the toy segmentation dataset (python
# tools/make_toy_data.py seg --out data/toy_ade), trained from scratch on a
# CPU in minutes (`make demo-seg`): the toy data and schedule, MogaNet-XT's
# widths, and heads narrowed for CPU speed. fpn_moga_xt_toy.py has the same
# data and schedule.
_base_ = [
    '../_base_/models/upernet_moga_s.py', '../_base_/datasets/toy_ade.py',
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
    decode_head=dict(
        in_channels=[32, 64, 96, 192], channels=64, num_classes=6),
    auxiliary_head=dict(in_channels=96, channels=64, num_classes=6))
