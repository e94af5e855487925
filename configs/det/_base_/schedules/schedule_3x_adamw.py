# The 3x schedule of mmdet's ConvNeXt and Swin multi-scale configs (36
# epochs, a 1000-iteration warm-up, steps at epochs 27 and 33) with the
# paper's AdamW rule and fp32 (./schedule_1x_adamw.py), where those configs
# train with mixed precision and ConvNeXt's layer-wise decay.
_base_ = './schedule_1x_adamw.py'

train_cfg = dict(max_epochs=36)
param_scheduler = [
    dict(_base_.param_scheduler[0], end=1000),
    dict(_base_.param_scheduler[1], end=36, milestones=[27, 33])
]
