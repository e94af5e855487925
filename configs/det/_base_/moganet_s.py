# The MogaNet-S backbone and the paper's AdamW recipe, shared by the detection
# family configs. A config lists this file in `_base_` next to its mmdet base
# and takes these values with {{_base_.moganet_...}}; every name starts with
# `moganet_` so that nothing here collides with the keys of an mmdet config.
moganet_s_backbone = dict(
    _delete_=True,
    type='MogaNet',
    arch='small',
    out_indices=(0, 1, 2, 3),
    drop_path_rate=0.1,
    init_cfg=dict(
        type='Pretrained',
        checkpoint='https://github.com/Westlake-AI/MogaNet/releases/'
        'download/moganet-in1k-weights/'
        'moganet_small_sz224_8xbs128_ep300.pth.tar'))
moganet_s_widths = [64, 128, 320, 512]

# No weight decay on norms, layer scales and element scales.
moganet_paramwise_cfg = dict(
    norm_decay_mult=0.,
    custom_keys={
        'layer_scale': dict(decay_mult=0.),
        'scale': dict(decay_mult=0.)
    })

# AdamW of the Mask and Cascade Mask R-CNN recipes (RetinaNet uses lr 1e-4).
moganet_optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=moganet_paramwise_cfg)
