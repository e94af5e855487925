# The official UperNet recipe of MogaNet, 160k iterations: AdamW without
# weight decay on norms, layer scales and element scales, as the paper. With
# a paramwise_cfg, mmengine's default constructor puts every parameter in a
# group of its own; MergedGroupsOptimWrapperConstructor (mmmoga.engine)
# merges the groups whose settings are equal.
_base_ = 'mmseg::_base_/schedules/schedule_160k.py'

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor='MergedGroupsOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), weight_decay=0.01),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'scale': dict(decay_mult=0.)
        }))
# 1500 linear warm-up iterations from 1e-6, then poly decay (power 1) to 0.
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0,
        end=1500),
    dict(
        type='PolyLR', eta_min=0., power=1.0, begin=1500, end=160000,
        by_epoch=False)
]
# For 8 GPUs x 2 images; `--auto-scale-lr` rescales for other batch sizes.
auto_scale_lr = dict(base_batch_size=16)
