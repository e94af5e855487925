# The official Semantic FPN recipe of MogaNet (PVT's), 80k iterations:
# AdamW with weight decay on every parameter, poly decay (power 0.9) to 0
# without warm-up.
_base_ = 'mmseg::_base_/schedules/schedule_80k.py'

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, weight_decay=1e-4))
param_scheduler = [
    dict(
        type='PolyLR', eta_min=0., power=0.9, begin=0, end=80000,
        by_epoch=False)
]
# For 8 GPUs x 4 images (mmseg's ADE20K default per GPU); `--auto-scale-lr`
# rescales for other batch sizes.
auto_scale_lr = dict(base_batch_size=32)
