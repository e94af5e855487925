"""The Mask2Former configs: MMSegmentation's ADE20K recipe with MogaNet S, B
and L, and MMDetection's COCO instance recipe with MogaNet-S, both with the
optimizer of the libraries' Swin Mask2Former configs. Each builds at full
size with the stage widths wired into the pixel decoder; every parameter
gets the learning rate and weight decay the recipe gives it; the class
count checks cover the "no object" class weight. The toy runs through the
tools are in test_query_heads_tools.py."""
import pytest
import torch

from helpers import (
    build_from_config,
    load_task_config,
    settings_of_each_parameter,
)
from mmmoga.apis import check_backbone
from mmmoga.apis.run.config_checks import check_class_counts
from mmmoga.errors import ConfigCheckError

# config -> (MogaNet arch, stage widths, exact parameter count)
CONFIGS = {
    'configs/seg/mask2former_moga_s.py': (
        'small', [64, 128, 320, 512], 44635114),
    'configs/seg/mask2former_moga_b.py': (
        'base', [64, 160, 320, 512], 63028106),
    'configs/seg/mask2former_moga_l.py': (
        'large', [64, 160, 320, 640], 101693377),
    'configs/det/mask2former_moga_s_lsj_50e.py': (
        'small', [64, 128, 320, 512], 44617124),
}
SMALL = ('configs/seg/mask2former_moga_s.py',
         'configs/det/mask2former_moga_s_lsj_50e.py')


def head_of(cfg):
    return cfg.model.get('decode_head') or cfg.model.panoptic_head


@pytest.fixture(scope='module')
def built():
    """The S models, built once for the module."""
    cache = {}

    def build(config):
        if config not in cache:
            cache[config] = build_from_config(config)
        return cache[config]

    return build


@pytest.mark.parametrize('config', sorted(CONFIGS))
def test_each_size_feeds_its_stages_to_the_pixel_decoder(config, built):
    arch, widths, params = CONFIGS[config]
    cfg, model = built(config) if config in SMALL else \
        build_from_config(config)
    check_backbone(cfg)
    assert cfg.model.backbone.arch == arch
    assert cfg.model.backbone.out_indices == (0, 1, 2, 3)
    assert head_of(cfg).in_channels == widths
    assert model.backbone.embed_dims == widths
    head = getattr(model, 'decode_head', None) or model.panoptic_head
    assert [conv.conv.in_channels for conv in
            head.pixel_decoder.input_convs] == widths[:0:-1]
    assert head.pixel_decoder.lateral_convs[0].conv.in_channels == widths[0]
    assert sum(p.numel() for p in model.parameters()) == params


@pytest.mark.parametrize('config', SMALL)
def test_a_pixel_decoder_width_that_misses_a_stage_is_named(config):
    task, name = config.split('/')[1], config.split('/')[-1][:-3]
    cfg = load_task_config(task, name)
    head_of(cfg).in_channels = [64, 128, 320, 640]
    key = 'decode_head' if task == 'seg' else 'panoptic_head'
    with pytest.raises(ConfigCheckError,
                       match=rf'model.{key}.in_channels=\[64, 128, 320, '
                       r'640\].*reads \(all of them\), whose widths are '
                       r'\[64, 128, 320, 512\]'):
        check_backbone(cfg)


def expected_settings(name, module_types, base_lr, base_decay):
    """(lr, weight decay) the Swin Mask2Former recipe gives parameter
    ``name`` of MogaNet's model: a tenth of the lr in the backbone; no
    decay on norms, layer and element scales, queries and level
    embeddings."""
    in_backbone = name.startswith('backbone.')
    lr = base_lr * (0.1 if in_backbone else 1.)
    is_norm = issubclass(module_types[name], (
        torch.nn.modules.batchnorm._BatchNorm, torch.nn.GroupNorm,
        torch.nn.LayerNorm))
    no_decay = is_norm or any(key in name for key in (
        'layer_scale_', 'sigma.scale', 'query_embed', 'query_feat',
        'level_embed'))
    return lr, 0. if no_decay else base_decay


@pytest.mark.parametrize('config', SMALL)
def test_every_parameter_gets_the_recipes_lr_and_decay(config, built):
    from mmengine.optim import build_optim_wrapper
    cfg, model = built(config)
    module_types = {f'{module_name}.{name}'.lstrip('.'): type(module)
                    for module_name, module in model.named_modules()
                    for name, _ in module.named_parameters(recurse=False)}
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    settings = settings_of_each_parameter(optimizer)
    base_lr, base_decay = 1e-4, 0.05
    assert (cfg.optim_wrapper.optimizer.lr,
            cfg.optim_wrapper.optimizer.weight_decay) == (base_lr,
                                                          base_decay)
    wrong = {}
    counted = {(True, 0.): 0, (True, base_decay): 0}
    for name, param in model.named_parameters():
        found = settings[id(param)]
        lr, decay = expected_settings(name, module_types, base_lr,
                                      base_decay)
        if (found['lr'], found['weight_decay']) != pytest.approx(
                (lr, decay)):
            wrong[name] = (found['lr'], found['weight_decay'], lr, decay)
        if name.startswith('backbone.'):
            counted[True, decay] += 1
    assert not wrong, list(wrong.items())[:5]
    # Both kinds of backbone parameter are there: the keys name its norms
    # and scales, and leave its convolutions to 'backbone'.
    assert counted[True, 0.] > 50 and counted[True, base_decay] > 50
    # The merged groups: a few, not one per parameter.
    assert len(optimizer.param_groups) <= 6


@pytest.mark.parametrize('config', SMALL)
def test_a_class_weight_list_of_another_length_is_named(config):
    task, name = config.split('/')[1], config.split('/')[-1][:-3]
    cfg = load_task_config(task, name)
    loss = head_of(cfg).loss_cls
    loss.class_weight = loss.class_weight[1:]  # one class short
    count = 150 if task == 'seg' else 80
    with pytest.raises(ConfigCheckError,
                       match=rf'loss_cls.class_weight in .* has {count} '
                       rf'weights, for {count - 1} classes and "no object"; '
                       rf'the {count} classes of .* need {count + 1}'):
        check_class_counts(cfg)


@pytest.mark.parametrize('config', [c for c in CONFIGS if '/seg/' in c])
def test_inference_api_sees_the_test_pipeline(config):
    """mmseg.apis.inference_model reads the top-level `test_pipeline`, the
    tools and the inferencer the test dataloader's. (mmengine stamps the
    mmseg base's top-level copy with its registry scope.)"""
    cfg = load_task_config('seg', config.split('/')[-1][:-3])

    def steps(pipeline):
        return [{k: v for k, v in step.items() if k != '_scope_'}
                for step in pipeline]

    assert steps(cfg.test_pipeline) == steps(
        cfg.test_dataloader.dataset.pipeline)


@pytest.mark.parametrize('config', SMALL)
def test_export_is_refused_in_one_line(config, built):
    """tools/export_onnx.py exports neither head; it says so."""
    from mmmoga.apis.export import exported_module
    cfg, model = built(config)
    with pytest.raises(ConfigCheckError,
                       match=r'(segmentors|detectors) are exported with .*'
                       r'Mask2Former(Head is not exported| has neither)'):
        exported_module(cfg, model, 'model')
