"""Every Semantic FPN and UperNet config builds at its published size, the
smallest MogaNet of each config family trains a step and predicts on CPU,
and the recipes are the official ones."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from helpers import (
    REPO,
    build_from_config,
    config_name,
    load_task_config,
    published_roundings,
    smallest_of_each_family,
    task_configs,
    train_step_and_predict,
    weight_decays,
)
from mmmoga.apis import check_backbone
from mmmoga.models import MogaNet

# Mask2Former has a module of its own (test_mask2former_configs.py).
SEG_CONFIGS = [c for c in task_configs('seg')
               if not osp.basename(c).startswith('mask2former_')]
# Where the training step runs: the larger sizes share the heads.
STEP_CONFIGS = smallest_of_each_family(SEG_CONFIGS)
SIZES = ('xt', 't', 's', 'b', 'l')

# (exact parameter count, size in the official model zoo in M), auxiliary
# head included, as the official get_flops counted. Semantic FPN-L is
# 86.148M, listed as 86.2M: rounded twice, first to the 86.15M that mmcv's
# counter prints (see published_roundings).
MODEL_SIZES = {
    'upernet_moga_xt': (30441062, 30.4),
    'upernet_moga_t': (33134424, 33.1),
    'upernet_moga_s': (55310527, 55.3),
    'upernet_moga_b': (73711711, 73.7),
    'upernet_moga_l': (113196182, 113.2),
    'fpn_moga_xt': (6865872, 6.9),
    'fpn_moga_t': (9067714, 9.1),
    'fpn_moga_s': (29089321, 29.1),
    'fpn_moga_b': (47482313, 47.5),
    'fpn_moga_l': (86147584, 86.2),
}
# The toy models: narrower heads, six classes.
TOY_SIZES = {
    'upernet_moga_xt_toy': 3398342,
    'fpn_moga_xt_toy': 3465536,
}


def load(name):
    return load_task_config('seg', name)


def test_every_published_config_exists():
    names = {config_name(p) for p in SEG_CONFIGS}
    assert names == set(MODEL_SIZES) | set(TOY_SIZES)


def seg_batch(num_classes, shape=(64, 80), batch_size=2):
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    inputs, samples = [], []
    height, width = shape
    for _ in range(batch_size):
        inputs.append(torch.randint(0, 256, (3, height, width),
                                    dtype=torch.uint8))
        sample = SegDataSample(metainfo=dict(
            img_shape=(height, width), ori_shape=(height, width)))
        labels = torch.randint(0, num_classes, (1, height, width))
        labels[:, :4] = 255  # some ignored pixels
        sample.gt_sem_seg = PixelData(data=labels)
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.slow
@pytest.mark.parametrize('config', SEG_CONFIGS)
def test_config_size_training_step_and_prediction(config):
    cfg, model = build_from_config(config)
    check_backbone(cfg)
    name = config_name(config)
    params = sum(p.numel() for p in model.parameters())
    exact, published = (MODEL_SIZES.get(name) or (TOY_SIZES[name], None))
    assert params == exact
    if published is not None:
        assert published in published_roundings(params)
    if config not in STEP_CONFIGS:
        return
    num_classes = cfg.model.decode_head.num_classes
    torch.manual_seed(0)
    # Crops of 64x80: the data preprocessor pads training batches to its
    # `size` (512x512 in the real configs), and stacks test images of one
    # size (mmseg tests one image per batch).
    model.data_preprocessor.size = (64, 80)
    packed = seg_batch(num_classes)
    log_vars, results = train_step_and_predict(cfg, model, packed)
    assert ('aux.loss_ce' in log_vars) == ('upernet' in name)
    assert [r.pred_sem_seg.data.shape for r in results] == [(1, 64, 80)] * 2
    assert all(int(r.pred_sem_seg.data.max()) < num_classes for r in results)


@pytest.mark.parametrize('family', ['upernet', 'fpn'])
@pytest.mark.parametrize('size', SIZES)
def test_heads_read_the_stage_widths(family, size):
    model = load(f'{family}_moga_{size}').model
    widths = MogaNet.stage_widths(model.backbone.arch)
    if family == 'upernet':
        assert model.decode_head.in_channels == widths
        assert model.decode_head.in_index == [0, 1, 2, 3]
        assert model.auxiliary_head.in_index == 2
        assert model.auxiliary_head.in_channels == widths[2]
    else:
        assert model.neck.in_channels == widths
    assert model.decode_head.num_classes == 150
    # ImageNet drop-path rate of each size, as in the detection suite.
    assert model.backbone.drop_path_rate == \
        {'xt': 0.05, 't': 0.1, 's': 0.1, 'b': 0.2, 'l': 0.3}[size]
    assert model.backbone.init_cfg.type == 'Pretrained'
    assert f'moganet_{model.backbone.arch}_sz224' in \
        model.backbone.init_cfg.checkpoint
    # SyncBN in every backbone norm, as the official configs asked for.
    assert model.backbone.conv_norm_cfg.type == 'SyncBN'
    assert model.backbone.stem_norm_cfg.type == 'SyncBN'


def test_upernet_recipe():
    cfg = load('upernet_moga_s')
    assert cfg.train_cfg.max_iters == 160000
    assert cfg.train_dataloader.batch_size == 2
    assert cfg.auto_scale_lr.base_batch_size == 16
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.betas,
            optimizer.weight_decay) == ('AdamW', 1e-4, (0.9, 0.999), 0.01)
    warmup, poly = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.begin, warmup.end,
            warmup.by_epoch) == ('LinearLR', 1e-6, 0, 1500, False)
    assert (poly.type, poly.power, poly.eta_min, poly.begin, poly.end,
            poly.by_epoch) == ('PolyLR', 1.0, 0., 1500, 160000, False)
    assert cfg.crop_size == (512, 512)
    assert cfg.model.data_preprocessor.size == (512, 512)
    assert cfg.train_dataloader.dataset.type == 'ADE20KDataset'


def test_fpn_recipe():
    cfg = load('fpn_moga_s')
    assert cfg.train_cfg.max_iters == 80000
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.auto_scale_lr.base_batch_size == 32
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == \
        ('AdamW', 2e-4, 1e-4)
    assert 'paramwise_cfg' not in cfg.optim_wrapper  # decay everywhere
    (poly, ) = cfg.param_scheduler
    assert (poly.type, poly.power, poly.eta_min, poly.begin, poly.end) == \
        ('PolyLR', 0.9, 0., 0, 80000)
    assert cfg.model.decode_head.type == 'FPNHead'


def test_upernet_skips_decay_on_norms_and_scales():
    cfg, model = build_from_config('configs/seg/upernet_moga_xt.py')
    decay = weight_decays(cfg, model)
    for name in ('backbone.blocks3.0.layer_scale_1',
                 'backbone.blocks3.0.attn.sigma.scale',
                 'backbone.blocks3.0.mlp.sigma.scale',
                 'backbone.blocks3.0.norm1.weight', 'backbone.norm4.bias',
                 'backbone.patch_embed1.projection.1.weight',
                 'decode_head.bottleneck.bn.weight'):
        assert decay[name] == 0, name
    for name in ('backbone.blocks3.0.attn.gate.weight',
                 'decode_head.bottleneck.conv.weight'):
        assert decay[name] == 0.01, name


def test_official_evaluation_and_test_time_augmentation():
    cfg = load('upernet_moga_s')
    test_types = [t.type for t in cfg.test_dataloader.dataset.pipeline]
    assert test_types == ['LoadImageFromFile', 'Resize', 'ResizeToMultiple',
                          'LoadAnnotations', 'PackSegInputs']
    assert cfg.test_dataloader.dataset.pipeline[1].scale == (2048, 512)
    assert cfg.tta_model.type == 'SegTTAModel'
    # mmseg 0.x's multi-scale test: ratios of (2048, 512), aligned to 32.
    (resizes, flips, aligns, *_), = [t.transforms for t in cfg.tta_pipeline
                                     if t.type == 'TestTimeAug']
    assert [r.scale for r in resizes] == \
        [(int(2048 * r), int(512 * r))
         for r in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75)]
    assert all(r.keep_ratio for r in resizes)
    assert sorted(f.prob for f in flips) == [0., 1.]
    assert [a.type for a in aligns] == ['ResizeToMultiple']


@pytest.mark.parametrize('config', SEG_CONFIGS)
def test_inference_api_sees_the_test_pipeline(config):
    """mmseg.apis.inference_model reads the top-level `test_pipeline`, the
    tools and the inferencer the test dataloader's: they must agree."""
    cfg = Config.fromfile(osp.join(REPO, config))
    assert cfg.test_pipeline == cfg.test_dataloader.dataset.pipeline


@pytest.mark.parametrize('name', sorted(TOY_SIZES))
def test_toy_tests_at_the_toy_scale(name):
    cfg = load('toy/' + name)
    (resize, ) = [t for t in cfg.test_pipeline if t.type == 'Resize']
    (resizes, *_), = [t.transforms for t in cfg.tta_pipeline
                      if t.type == 'TestTimeAug']
    assert resize.scale == (1024, 136) == resizes[2].scale
