"""MogaNet in timm: ``timm.create_model('moganet_small', ...)`` and the
other sizes, registered by ``import mmmoga`` where timm is installed.

Each model is :class:`mmmoga.core.MogaNetClassifier` built through timm's
``build_model_with_cfg``, so ``pretrained``, ``num_classes``, ``in_chans``
(the stem adapted as timm adapts it), ``features_only`` (timm's
``FeatureGetterNet`` over ``forward_intermediates``) and ``local-dir:``
folders work as for timm's own models. The pretrained configs name the
official ImageNet-1k weights, which load unchanged.
"""
import argparse
from typing import Dict

import torch
from timm.data import IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD
from timm.models import (
    build_model_with_cfg,
    generate_default_cfgs,
    register_model,
)

from mmmoga.core import MogaNetClassifier

OFFICIAL_WEIGHTS = ('https://github.com/Westlake-AI/MogaNet/releases/'
                    'download/moganet-in1k-weights/')
SIZES = ('xtiny', 'tiny', 'small', 'base', 'large', 'xlarge')
# The Hub repositories of the official weights (MogaNet/moganet_<size>_in1k
# hold a model card and no weights yet). timm prefers a pretrained config's
# hf_hub_id to its url, so setting it now would make pretrained=True fail;
# the ids are in each config's notes, and tools/publish_model.py --hf-dir
# writes a folder to upload to them.
HUB_IDS = {size: f'MogaNet/moganet_{size}_in1k' for size in SIZES}

# The official trainer saves its argparse.Namespace beside the weights;
# timm loads URLs with weights_only=True, which refuses it otherwise.
torch.serialization.add_safe_globals([argparse.Namespace])


def _official(size: str, file: str, resolution: int = 224) -> Dict:
    """The pretrained config of one official release: the test crop ratio
    0.9 with bicubic resizing, ImageNet's mean and std."""
    return dict(
        url=OFFICIAL_WEIGHTS + file,
        num_classes=1000,
        input_size=(3, resolution, resolution),
        pool_size=(resolution // 32, resolution // 32),
        crop_pct=0.9,
        crop_mode='center',
        interpolation='bicubic',
        mean=IMAGENET_DEFAULT_MEAN,
        std=IMAGENET_DEFAULT_STD,
        first_conv='patch_embed1.projection.0',
        classifier='head',
        license='apache-2.0',
        origin_url='https://github.com/Westlake-AI/MogaNet',
        paper_ids='arXiv:2211.03295',
        notes=(f'Hub repository: {HUB_IDS[size]}', ),
    )


default_cfgs = generate_default_cfgs({
    'moganet_xtiny.in1k':
    _official('xtiny', 'moganet_xtiny_sz224_8xbs128_ep300.pth.tar'),
    'moganet_xtiny.in1k_256':
    _official('xtiny', 'moganet_xtiny_sz256_8xbs128_ep300.pth.tar', 256),
    'moganet_tiny.in1k':
    _official('tiny', 'moganet_tiny_sz224_8xbs128_ep300.pth.tar'),
    'moganet_tiny.in1k_256':
    _official('tiny', 'moganet_tiny_sz256_8xbs128_ep300.pth.tar', 256),
    'moganet_small.in1k':
    _official('small', 'moganet_small_sz224_8xbs128_ep300.pth.tar'),
    'moganet_base.in1k':
    _official('base', 'moganet_base_sz224_8xbs128_ep300.pth.tar'),
    'moganet_large.in1k':
    _official('large', 'moganet_large_sz224_8xbs64_ep300.pth.tar'),
    'moganet_xlarge.in1k':
    _official('xlarge', 'moganet_xlarge_sz224_8xbs64_ep300.pth.tar'),
})


def official_checkpoint_filter(state_dict: Dict,
                               model: MogaNetClassifier) -> Dict:
    """The weights of an official checkpoint, as timm loads them: the
    trainer's dict holds them under ``state_dict``; weights saved from a DDP
    model carry a ``module.`` prefix."""
    weights = state_dict.get('state_dict', state_dict)
    return {key[len('module.'):] if key.startswith('module.') else key: value
            for key, value in weights.items()}


def _create(size: str, pretrained: bool, **kwargs) -> MogaNetClassifier:
    # timm's default out_indices has five entries; MogaNet has four stages.
    out_indices = kwargs.pop('out_indices', (0, 1, 2, 3))
    return build_model_with_cfg(
        MogaNetClassifier,
        f'moganet_{size}',
        pretrained,
        pretrained_filter_fn=official_checkpoint_filter,
        feature_cfg=dict(out_indices=out_indices, feature_cls='getter'),
        **dict(dict(arch=size), **kwargs))


@register_model
def moganet_xtiny(pretrained: bool = False, **kwargs) -> MogaNetClassifier:
    """MogaNet-XT: 2.97M parameters, 76.5% top-1 on ImageNet-1k at 224."""
    return _create('xtiny', pretrained, **kwargs)


@register_model
def moganet_tiny(pretrained: bool = False, **kwargs) -> MogaNetClassifier:
    """MogaNet-T: 5.2M parameters, 79.0% top-1 on ImageNet-1k at 224."""
    return _create('tiny', pretrained, **kwargs)


@register_model
def moganet_small(pretrained: bool = False, **kwargs) -> MogaNetClassifier:
    """MogaNet-S: 25.3M parameters, 83.4% top-1 on ImageNet-1k at 224."""
    return _create('small', pretrained, **kwargs)


@register_model
def moganet_base(pretrained: bool = False, **kwargs) -> MogaNetClassifier:
    """MogaNet-B: 43.9M parameters, 84.3% top-1 on ImageNet-1k at 224."""
    return _create('base', pretrained, **kwargs)


@register_model
def moganet_large(pretrained: bool = False, **kwargs) -> MogaNetClassifier:
    """MogaNet-L: 82.5M parameters, 84.7% top-1 on ImageNet-1k at 224."""
    return _create('large', pretrained, **kwargs)


@register_model
def moganet_xlarge(pretrained: bool = False, **kwargs) -> MogaNetClassifier:
    """MogaNet-XL: 180.8M parameters, 85.1% top-1 on ImageNet-1k at 224."""
    return _create('xlarge', pretrained, **kwargs)


__all__ = [f'moganet_{size}' for size in SIZES]
