# UperNet + MogaNet-S on ADE20K, 512x512 crops, 160k iterations: the
# official recipe. The other sizes inherit this file and state what their
# size changes: the backbone's arch, drop-path rate and ImageNet weights,
# and the widths the heads read.
_base_ = [
    './_base_/models/upernet_moga_s.py',
    './_base_/datasets/ade20k_aligned_test.py',
    './_base_/schedules/schedule_160k_adamw.py',
    'mmseg::_base_/default_runtime.py'
]

# Training batches are padded to the crop size.
model = dict(data_preprocessor=dict(size=_base_.crop_size))
train_dataloader = dict(batch_size=2)  # 8 GPUs x 2 images
