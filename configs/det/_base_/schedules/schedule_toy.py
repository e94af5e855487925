# The toys' schedule: the paper's AdamW (./schedule_1x_adamw.py) for three
# epochs of 200 iterations from scratch on a CPU. From scratch and with so
# few steps, a higher peak learning rate than ImageNet fine-tuning pays off;
# a 100-iteration warm-up, then cosine decay to a twentieth.
_base_ = './schedule_1x_adamw.py'

train_cfg = dict(max_epochs=3, val_interval=3)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=3,
         eta_min_ratio=0.05, convert_to_iter_based=True)
]
auto_scale_lr = dict(base_batch_size=2)  # the toy batch
