"""Every classification config has the official classifier's exact size,
the official recipe of its size, and (the smallest) trains a step and
predicts on CPU."""
import pytest
import torch

from helpers import (
    build_from_config,
    config_name,
    load_task_config,
    task_configs,
    train_step_and_predict,
)

CLS_CONFIGS = task_configs('cls')
# The ImageNet configs; the toy one is tested with the tools.
FULL_CONFIGS = [c for c in CLS_CONFIGS if '/toy/' not in c]
# The paper's recipe; the refined DeiT III-style one (T*, XT*) is apart.
PAPER_CONFIGS = [c for c in FULL_CONFIGS if '_deit3_' not in c]
ARCHS = {'xt': 'xtiny', 't': 'tiny', 's': 'small', 'b': 'base', 'l': 'large',
         'xl': 'xlarge'}
DROP_PATH_RATES = {'xt': 0.05, 't': 0.1, 's': 0.1, 'b': 0.2, 'l': 0.3,
                   'xl': 0.4}
# Official arguments (TRAINING.md): weight decay, RandAugment magnitude,
# mixup alpha, minimum learning rate, EMA.
LIGHT = dict(weight_decay=None, magnitude=7, mixup=0.1, min_lr=1e-6,
             ema=False)
STANDARD = dict(weight_decay=0.05, magnitude=9, mixup=0.8, min_lr=1e-5,
                ema=True)
RECIPES = {
    'xt': dict(LIGHT, weight_decay=0.03),
    't': dict(LIGHT, weight_decay=0.04),
    's': STANDARD, 'b': STANDARD, 'l': STANDARD, 'xl': STANDARD
}


def load(name):
    return load_task_config('cls', name)


def size_of(name):
    return name.split('_')[1]


def test_every_published_config_exists():
    assert {config_name(p) for p in CLS_CONFIGS} == {
        f'moganet_{size}_in1k' for size in ARCHS
    } | {'moganet_xt_in1k_256', 'moganet_t_in1k_256', 'moganet_xt_toy',
         'resnet18_toy',
         'moganet_t_deit3_in1k_256', 'moganet_xt_deit3_in1k_256'}


@pytest.mark.parametrize('config', FULL_CONFIGS)
def test_size_equals_the_official_classifier(config, golden):
    from mmengine.registry import MODELS, init_default_scope
    cfg = load(config_name(config))
    init_default_scope(cfg.default_scope)
    with torch.device('meta'):  # shapes only
        model = MODELS.build(cfg.model)
    params = sum(p.numel() for p in model.parameters())
    arch = ARCHS[size_of(config_name(config))]
    assert cfg.model.backbone.arch == arch
    assert params == golden['structure'][arch]['params']


@pytest.mark.parametrize('config', PAPER_CONFIGS)
def test_official_recipe_of_each_size(config):
    name = config_name(config)
    size = size_of(name)
    recipe = RECIPES[size]
    cfg = load(name)
    assert cfg.model.backbone.drop_path_rate == DROP_PATH_RATES[size]
    assert cfg.model.backbone.out_indices == (3, )
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.betas) == \
        ('AdamW', 1e-3, (0.9, 0.999))
    assert optimizer.weight_decay == recipe['weight_decay']
    (rand_augment, ) = [t for t in cfg.train_dataloader.dataset.pipeline
                        if t.type == 'RandAugment']
    assert (rand_augment.magnitude_level, rand_augment.magnitude_std,
            rand_augment.policies) == (recipe['magnitude'], 0.5,
                                       'timm_increasing')
    mixup, cutmix = cfg.model.train_cfg.augments
    assert (mixup.type, mixup.alpha, cutmix.type, cutmix.alpha) == \
        ('Mixup', recipe['mixup'], 'CutMix', 1.0)
    warmup, cosine = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end) == \
        ('LinearLR', 1e-2, 5)
    assert (cosine.type, cosine.begin, cosine.end, cosine.eta_min) == \
        ('CosineAnnealingLR', 5, 300, recipe['min_lr'])
    assert cfg.train_cfg.max_epochs == 310  # timm's 10 cool-down epochs
    hooks = [h.type for h in cfg.get('custom_hooks', [])]
    assert hooks == (['EMAHook'] if recipe['ema'] else [])
    if recipe['ema']:
        assert cfg.custom_hooks[0].momentum == 1e-4  # decay 0.9999
    head = cfg.model.head
    assert head.loss == dict(type='LabelSmoothLoss', label_smooth_val=0.1,
                             mode='original')
    # Test crop ratio 0.9, bicubic.
    crop = 256 if name.endswith('_256') else 224
    resize, center = cfg.test_dataloader.dataset.pipeline[1:3]
    assert (resize.type, resize.scale, resize.interpolation) == \
        ('ResizeEdge', int(crop / 0.9), 'bicubic')
    assert center.crop_size == crop
    (random_crop, ) = [t for t in cfg.train_dataloader.dataset.pipeline
                       if t.type == 'RandomResizedCrop']
    assert random_crop.scale == crop
    (erasing, ) = [t for t in cfg.train_dataloader.dataset.pipeline
                   if t.type == 'RandomErasing']
    assert erasing.erase_prob == 0.25


@pytest.mark.parametrize('size,weight_decay,drop_path',
                         [('t', 0.04, 0.1), ('xt', 0.03, 0.05)])
def test_refined_deit3_recipe(size, weight_decay, drop_path):
    """OpenMixup's moga_{tiny,xtiny}_deit3_sz256_lr2e_3_8xb128_fp16_ep300."""
    cfg = load(f'moganet_{size}_deit3_in1k_256')
    assert cfg.model.backbone.drop_path_rate == drop_path
    assert cfg.model.backbone.attn_force_fp32  # fp16 training
    assert (cfg.optim_wrapper.type, cfg.optim_wrapper.loss_scale) == \
        ('AmpOptimWrapper', 'dynamic')
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.lr, optimizer.weight_decay) == (2e-3, weight_decay)
    warmup, cosine = cfg.param_scheduler
    assert (warmup.start_factor, warmup.end) == (1e-6, 20)
    assert (cosine.begin, cosine.end, cosine.eta_min) == (20, 300, 1e-6)
    assert cfg.train_cfg.max_epochs == 300
    assert cfg.custom_hooks == [
        dict(type='PreciseBNHook', num_samples=8192, interval=1)]
    mixup, cutmix = cfg.model.train_cfg.augments
    assert (mixup.alpha, cutmix.alpha) == (0.1, 1.0)
    types = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    assert types == ['LoadImageFromFile', 'RandomResizedCrop', 'RandomFlip',
                     'RandomChoice', 'ColorJitter', 'PackInputs']
    three_augment = cfg.train_dataloader.dataset.pipeline[3].transforms
    assert [c[0].type for c in three_augment] == \
        ['RandomGrayscale', 'Solarize', 'GaussianBlur']
    assert cfg.train_dataloader.dataset.pipeline[1].scale == 256
    assert cfg.test_dataloader.dataset.pipeline[2].crop_size == 256


def test_three_augment_blurs_with_deit3s_sigma_range():
    """DeiT III blurs with a sigma drawn uniformly in [0.1, 2.0]: mmpretrain's
    GaussianBlur draws its radius uniformly in ``magnitude_range`` when
    ``magnitude_std`` is 'inf'."""
    cfg = load('moganet_t_deit3_in1k_256')
    (blur, ) = cfg.train_dataloader.dataset.pipeline[3].transforms[2]
    assert (blur.type, blur.magnitude_range, blur.magnitude_std, blur.prob) \
        == ('GaussianBlur', (0.1, 2.0), 'inf', 1.)


@pytest.fixture(scope='module')
def xt_classifier():
    """MogaNet-XT's ImageNet config and classifier, built once."""
    return build_from_config('configs/cls/moganet_xt_in1k.py')


def test_no_decay_on_norms_biases_and_scales(xt_classifier):
    from helpers import weight_decays
    cfg, model = xt_classifier
    decay = weight_decays(cfg, model)
    for name in ('backbone.blocks3.0.norm1.weight', 'backbone.norm4.bias',
                 'backbone.patch_embed1.projection.1.weight',
                 'backbone.blocks3.0.attn.gate.bias', 'head.fc.bias',
                 'backbone.blocks3.0.layer_scale_1',
                 'backbone.blocks3.0.attn.sigma.scale',
                 'backbone.blocks3.0.mlp.sigma.scale'):
        assert decay[name] == 0, name
    for name in ('backbone.blocks3.0.attn.gate.weight', 'head.fc.weight',
                 'backbone.patch_embed1.projection.0.weight'):
        assert decay[name] == 0.03, name


@pytest.mark.slow
def test_training_step_and_prediction(xt_classifier):
    from mmpretrain.structures import DataSample
    cfg, model = xt_classifier
    torch.manual_seed(0)
    packed = dict(
        inputs=[torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8)
                for _ in range(2)],
        data_samples=[DataSample().set_gt_label(label) for label in (3, 7)])
    log_vars, predictions = train_step_and_predict(cfg, model, packed)
    assert 'loss' in log_vars
    for prediction in predictions:
        assert prediction.pred_score.shape == (1000, )


@pytest.mark.parametrize('config', FULL_CONFIGS)
def test_config_check_accepts_the_head_width(config):
    from mmmoga.apis import check_config
    check_config(load(config_name(config)), splits=())


def test_mismatched_classifier_width_is_a_clear_error():
    from mmmoga.apis import check_config
    from mmmoga.errors import ConfigCheckError
    cfg = load('moganet_s_in1k')
    cfg.model.head.in_channels = 640
    with pytest.raises(ConfigCheckError,
                       match=r"head.in_channels=640 .*'small' output it "
                       r'reads through model.neck \(GlobalAveragePooling\), '
                       r'whose width is 512'):
        check_config(cfg, splits=())


def test_missing_imagenet_is_named(tmp_path):
    from mmmoga.apis import check_config
    from mmmoga.errors import DatasetNotFoundError
    cfg = load('moganet_s_in1k')
    cfg.train_dataloader.dataset.data_root = str(tmp_path / 'imagenet')
    with pytest.raises(DatasetNotFoundError,
                       match=r'imagenet \(train_dataloader.dataset.data_root'
                       r'.*mmpretrain.readthedocs.io'):
        check_config(cfg, splits=('train', ))


def test_missing_image_folder_of_a_custom_dataset_is_named(tmp_path):
    """MMPretrain's CustomDataset takes one folder as ``data_prefix``."""
    from mmmoga.apis import check_config
    from mmmoga.errors import DatasetNotFoundError
    cfg = load('moganet_s_in1k')
    cfg.train_dataloader.dataset = dict(
        type='CustomDataset', data_root=str(tmp_path), data_prefix='train')
    with pytest.raises(DatasetNotFoundError,
                       match=r'train \(train_dataloader.dataset.data_prefix '):
        check_config(cfg, splits=('train', ))
    (tmp_path / 'train').mkdir()
    check_config(cfg, splits=('train', ))
