# mmdet's 1x schedule (12 epochs, warm-up, steps at epochs 8 and 11) with the
# paper's optimizer: AdamW without weight decay on norms, layer scales and
# element scales. With a paramwise_cfg, mmengine's default constructor puts
# every parameter in a group of its own; MergedGroupsOptimWrapperConstructor
# (mmmoga.engine) merges the groups whose settings are equal, so the
# optimizer steps a few groups instead of hundreds. fp32 like the paper
# (`--amp` turns mixed precision on). The base's auto_scale_lr is for 8 GPUs
# x 2 images, as in the paper; `--auto-scale-lr` rescales for others.
_base_ = 'mmdet::_base_/schedules/schedule_1x.py'

optim_wrapper = dict(
    _delete_=True,  # instead of the base's SGD
    type='OptimWrapper',
    constructor='MergedGroupsOptimWrapperConstructor',
    optimizer=dict(
        type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        custom_keys={
            'layer_scale': dict(decay_mult=0.),
            'scale': dict(decay_mult=0.)
        }))
