# MogaNet-XL ImageNet-1K classification, 224x224. The official run: 8 GPUs x 64
# images with lr 1e-3 (the official notes find 1e-3 for batch 512 better for S
# to XL).
_base_ = './moganet_s_in1k.py'

model = dict(
    backbone=dict(arch='xlarge', drop_path_rate=0.4),
    head=dict(in_channels=960))  # the last-stage width
train_dataloader = dict(batch_size=64)
auto_scale_lr = dict(base_batch_size=512)
