# Semantic FPN + MogaNet-S on ADE20K, 512x512 crops, 80k iterations: the
# official recipe, with mmseg's ADE20K batch of 4 images per GPU on 8 GPUs.
# The other sizes inherit this file and state what their size changes: the
# backbone's arch, drop-path rate and ImageNet weights, and the FPN's input
# widths.
_base_ = [
    './_base_/models/fpn_moga_s.py',
    './_base_/datasets/ade20k_aligned_test.py',
    './_base_/schedules/schedule_80k_adamw.py',
    'mmseg::_base_/default_runtime.py'
]

# Training batches are padded to the crop size.
model = dict(data_preprocessor=dict(size=_base_.crop_size))
