# MogaNet backbones and the paper's no-decay rule, shared by the task configs
# of every library (configs/det, configs/seg, ...). A family config lists this
# file in `_base_` next to its library base and takes these values with
# {{_base_.moganet_...}}; every name starts with `moganet_` so that nothing
# here collides with the keys of an OpenMMLab config.
#
# The family file of a task builds MogaNet-S from `moganet_s_backbone`; each
# other size inherits the family file and merges `moganet_<size>` into the
# backbone (arch, ImageNet drop-path rate and weights) and
# `moganet_<size>_widths` into what reads the four stages.
moganet_release = ('https://github.com/Westlake-AI/MogaNet/releases/download/'
                   'moganet-in1k-weights/')


def _size(arch, drop_path_rate, checkpoint):
    return dict(
        arch=arch,
        drop_path_rate=drop_path_rate,
        init_cfg=dict(checkpoint=moganet_release + checkpoint))


# Drop-path rates are those of the ImageNet training of each size.
moganet_xt = _size('xtiny', 0.05, 'moganet_xtiny_sz224_8xbs128_ep300.pth.tar')
moganet_t = _size('tiny', 0.1, 'moganet_tiny_sz224_8xbs128_ep300.pth.tar')
moganet_s = _size('small', 0.1, 'moganet_small_sz224_8xbs128_ep300.pth.tar')
moganet_b = _size('base', 0.2, 'moganet_base_sz224_8xbs128_ep300.pth.tar')
moganet_l = _size('large', 0.3, 'moganet_large_sz224_8xbs64_ep300.pth.tar')
moganet_xt_widths = [32, 64, 96, 192]
moganet_t_widths = [32, 64, 128, 256]
moganet_s_widths = [64, 128, 320, 512]
moganet_b_widths = [64, 160, 320, 512]
moganet_l_widths = [64, 160, 320, 640]

moganet_s_backbone = dict(
    moganet_s,
    _delete_=True,
    type='MogaNet',
    out_indices=(0, 1, 2, 3),
    init_cfg=dict(moganet_s['init_cfg'], type='Pretrained'))

# The same backbone with SyncBN in every norm. The official segmentation and
# pose configs asked for this, but their backbone swallowed the argument and
# trained with per-GPU BN; the keys of the two are identical, so official
# weights load either way. A single process (CPU or one GPU) runs it as BN:
# mmengine's Runner reverts SyncBN when training is not distributed.
moganet_syncbn = dict(type='SyncBN', requires_grad=True)
moganet_s_backbone_syncbn = dict(
    moganet_s_backbone,
    stem_norm_cfg=moganet_syncbn,
    conv_norm_cfg=moganet_syncbn)

# No weight decay on norms, layer scales and element scales.
moganet_paramwise_cfg = dict(
    norm_decay_mult=0.,
    custom_keys={
        'layer_scale': dict(decay_mult=0.),
        'scale': dict(decay_mult=0.)
    })
# ImageNet classification also spares biases (the authors' OpenMixup configs
# and timm's trainer both do).
moganet_cls_paramwise_cfg = dict(moganet_paramwise_cfg, bias_decay_mult=0.)

# mmengine's default constructor with a paramwise_cfg puts every parameter
# in a group of its own; this one (mmmoga.engine) merges the groups whose
# settings are equal, so the optimizer steps a few groups instead of
# hundreds (toy Mask R-CNN: 610 -> 3 groups, 37 ms of a 0.8 s CPU step).
moganet_optim_constructor = 'MergedGroupsOptimWrapperConstructor'

# AdamW of the Mask and Cascade Mask R-CNN recipes (RetinaNet uses lr 1e-4).
moganet_det_optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    constructor=moganet_optim_constructor,
    optimizer=dict(
        type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=moganet_paramwise_cfg)

# Top-down pose estimation (configs/pose): the heatmap head reads the last
# stage only, and the official COCO keypoint recipes train with stronger
# stochastic depth than ImageNet did: 0.1 / 0.15 / 0.2 / 0.3 for XT / T / S /
# B, and 0.4 for B at 384x288.
moganet_xt_pose = dict(moganet_xt, drop_path_rate=0.1)
moganet_t_pose = dict(moganet_t, drop_path_rate=0.15)
moganet_b_pose = dict(moganet_b, drop_path_rate=0.3)
moganet_b_pose_384x288 = dict(moganet_b, drop_path_rate=0.4)
moganet_s_pose_backbone = dict(
    moganet_s_backbone_syncbn, drop_path_rate=0.2, out_indices=(3, ))
