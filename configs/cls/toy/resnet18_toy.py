# ResNet-18 classifying the toy shapes with the data and optimizer of
# moganet_xt_toy.py: the ConvNet that the interaction-strength study
# (docs/analysis.md) sets MogaNet-XT against. The backbone, the head's input
# width and the schedule differ: from scratch, ResNet-18 reached 51% top-1 in
# MogaNet-XT's 7 epochs (ConvNeXt-atto 49%; SGD with momentum, MMPretrain's
# ResNet recipe, 47%), and 81% in 21.
_base_ = './moganet_xt_toy.py'

model = dict(
    backbone=dict(
        _delete_=True,  # instead of MogaNet-XT
        type='ResNet',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    head=dict(in_channels=512))  # ResNet-18's last stage width

train_cfg = dict(max_epochs=21, val_interval=21)
# The base's warm-up, and its cosine decay over the 21 epochs.
param_scheduler = [
    _base_.param_scheduler[0],
    dict(_base_.param_scheduler[1], end=21)
]
default_hooks = dict(checkpoint=dict(interval=21))
