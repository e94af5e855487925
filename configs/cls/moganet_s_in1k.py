# MogaNet-S ImageNet-1K classification, 224x224: the official recipe
# (timm's trainer, the arguments of the official TRAINING.md) on MMPretrain,
# 8 GPUs x 128 images. B, L and XL inherit this file and state what their
# size changes (the backbone's arch and drop-path rate, the head's input
# width); T and XT inherit it through moganet_t_in1k.py, which changes the
# recipe where theirs differs.
_base_ = [
    './_base_/models/moganet_s.py',
    './_base_/datasets/imagenet_bs128_moganet_224.py',
    './_base_/schedules/imagenet_bs1024_adamw_moganet.py',
    'mmpretrain::_base_/default_runtime.py'
]
