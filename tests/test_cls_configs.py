"""Every classification config has the official classifier's exact size,
the official recipe of its size, and (the smallest) trains a step and
predicts on CPU."""
import pytest
import torch

from helpers import (build_from_config, config_name, load_task_config,
                     task_configs, train_step_and_predict)

CLS_CONFIGS = task_configs('cls')
# The ImageNet configs; the toy one is tested with the tools.
FULL_CONFIGS = [c for c in CLS_CONFIGS if '/toy/' not in c]
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
    } | {'moganet_xt_in1k_256', 'moganet_t_in1k_256', 'moganet_xt_toy'}


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


@pytest.mark.parametrize('config', FULL_CONFIGS)
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


@pytest.fixture(scope='module')
def xt_classifier():
    """MogaNet-XT's ImageNet config and classifier, built once."""
    return build_from_config('configs/cls/moganet_xt_in1k.py')


def test_no_decay_on_norms_and_biases(xt_classifier):
    from helpers import weight_decays
    cfg, model = xt_classifier
    decay = weight_decays(cfg, model)
    for name in ('backbone.blocks3.0.norm1.weight', 'backbone.norm4.bias',
                 'backbone.blocks3.0.attn.gate.bias', 'head.fc.bias'):
        assert decay[name] == 0, name
    for name in ('backbone.blocks3.0.attn.gate.weight', 'head.fc.weight',
                 'backbone.blocks3.0.layer_scale_1'):
        assert decay[name] == 0.03, name


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
    from mmmoga.utils import check_config
    check_config(load(config_name(config)), splits=())


def test_mismatched_classifier_width_is_a_clear_error():
    from mmmoga.utils import ConfigCheckError, check_config
    cfg = load('moganet_s_in1k')
    cfg.model.head.in_channels = 640
    with pytest.raises(ConfigCheckError,
                       match=r"head.in_channels=640 .*'small' output it "
                       r'reads through model.neck \(GlobalAveragePooling\), '
                       r'whose width is 512'):
        check_config(cfg, splits=())


def test_missing_imagenet_is_named(tmp_path):
    from mmmoga.utils import DatasetNotFoundError, check_config
    cfg = load('moganet_s_in1k')
    cfg.train_dataloader.dataset.data_root = str(tmp_path / 'imagenet')
    with pytest.raises(DatasetNotFoundError,
                       match=r'imagenet \(train_dataloader.dataset.data_root'
                       r'.*mmpretrain.readthedocs.io'):
        check_config(cfg, splits=('train', ))


def test_missing_image_folder_of_a_custom_dataset_is_named(tmp_path):
    """MMPretrain's CustomDataset takes one folder as ``data_prefix``."""
    from mmmoga.utils import DatasetNotFoundError, check_config
    cfg = load('moganet_s_in1k')
    cfg.train_dataloader.dataset = dict(
        type='CustomDataset', data_root=str(tmp_path), data_prefix='train')
    with pytest.raises(DatasetNotFoundError,
                       match=r'train \(train_dataloader.dataset.data_prefix '):
        check_config(cfg, splits=('train', ))
    (tmp_path / 'train').mkdir()
    check_config(cfg, splits=('train', ))
