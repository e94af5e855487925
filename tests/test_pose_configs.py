"""Every top-down heatmap pose config builds, trains a step and predicts
with flip test on CPU, and the recipes are the official MogaNet top-down
ones (the RTMPose-style configs: test_rtmpose_configs.py)."""
import os.path as osp

import pytest
import torch

from helpers import (
    build_from_config,
    config_name,
    load_task_config,
    published_roundings,
    task_configs,
    train_step_and_predict,
)
from mmmoga.apis import check_backbone
from mmmoga.models import MogaNet

POSE_CONFIGS = task_configs('pose')
HEATMAP_CONFIGS = [c for c in POSE_CONFIGS if 'topdown_heatmap' in c]
SIZES = ('xt', 't', 's', 'b')
INPUT_SIZES = ('256x192', '384x288')

# (exact parameter count, size in the official model zoo in M); the same at
# both input sizes. MogaNet-XT is 5.6526M, listed as 5.6M: mmcv's counter,
# which the official get_flops.py used, prints 5.65M (see
# published_roundings).
MODEL_SIZES = {
    'xt': (5652555, 5.6),
    't': (8091965, 8.1),
    's': (29022884, 29.0),
    'b': (47407684, 47.4),
}
TOY_SIZES = {'topdown_heatmap_moga_xt_toy': 3683531}
# Drop path of the official configs; B uses 0.4 at 384x288.
DROP_PATH_RATES = {'xt': 0.1, 't': 0.15, 's': 0.2, 'b': 0.3}


def load(name):
    return load_task_config('pose', name)


def test_every_published_config_exists():
    names = {config_name(p) for p in POSE_CONFIGS}
    assert names == {f'topdown_heatmap_moga_{size}_{res}' for size in SIZES
                     for res in INPUT_SIZES} | set(TOY_SIZES) | {
                         f'rtmpose_moga_{size}_256x192'
                         for size in ('xt', 't', 's')
                     } | {'rtmpose_moga_xt_toy'}


def pose_batch(cfg, heatmap_size, batch_size=2):
    """A packed batch of ``batch_size`` person crops of 4x the heatmap size,
    with heatmap targets and the metainfo that flip test reads."""
    from mmengine.structures import InstanceData, PixelData
    from mmpose.structures import PoseDataSample
    width, height = heatmap_size
    num_keypoints = cfg.model.head.out_channels
    flip_indices = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append(torch.randint(0, 256, (3, 4 * height, 4 * width),
                                    dtype=torch.uint8))
        sample = PoseDataSample(metainfo=dict(
            input_size=(4 * width, 4 * height),
            input_center=torch.tensor([[50., 60.]]).numpy(),
            input_scale=torch.tensor([[80., 100.]]).numpy(),
            flip_indices=flip_indices))
        heatmaps = torch.rand(num_keypoints, height, width)
        sample.gt_fields = PixelData(heatmaps=heatmaps)
        sample.gt_instance_labels = InstanceData(
            keypoint_weights=torch.ones(1, num_keypoints))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[10., 10., 90., 110.]]).numpy(),
            bbox_scores=torch.ones(1).numpy())
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.slow
@pytest.mark.parametrize('config', HEATMAP_CONFIGS)
def test_config_size_training_step_and_flip_test_prediction(config):
    cfg, model = build_from_config(config)
    check_backbone(cfg)
    name = config_name(config)
    params = sum(p.numel() for p in model.parameters())
    if name in TOY_SIZES:
        assert params == TOY_SIZES[name]
    else:
        exact, published = MODEL_SIZES[name.split('_')[3]]
        assert params == exact
        assert published in published_roundings(params)
    assert cfg.model.test_cfg.flip_test
    torch.manual_seed(0)
    # 96x64 crops (multiples of the stride 32): 24x16 heatmaps at the
    # head's stride 4.
    log_vars, results = train_step_and_predict(cfg, model,
                                               pose_batch(cfg, (16, 24)))
    assert 'loss_kpt' in log_vars
    for result in results:
        keypoints = result.pred_instances.keypoints
        assert keypoints.shape == (1, 17, 2)
        assert result.pred_instances.keypoint_scores.shape == (1, 17)


@pytest.mark.parametrize('res', INPUT_SIZES)
@pytest.mark.parametrize('size', SIZES)
def test_backbone_and_head_per_size(size, res):
    model = load(f'topdown_heatmap_moga_{size}_{res}').model
    backbone, head = model.backbone, model.head
    assert backbone.type == 'MogaNet'
    assert backbone.out_indices == (3, )  # the head reads the last stage
    assert head.in_channels == MogaNet.stage_widths(backbone.arch)[-1]
    rate = 0.4 if (size, res) == ('b', '384x288') else DROP_PATH_RATES[size]
    assert backbone.drop_path_rate == rate
    assert backbone.init_cfg.type == 'Pretrained'
    assert f'moganet_{backbone.arch}_sz224' in backbone.init_cfg.checkpoint
    # SyncBN in every backbone norm, as the official configs asked for.
    assert backbone.conv_norm_cfg.type == 'SyncBN'
    assert backbone.stem_norm_cfg.type == 'SyncBN'
    # The official TopdownHeatmapSimpleHead: three 4x4 deconvs of 256.
    assert head.type == 'HeatmapHead'
    assert head.get('deconv_out_channels', (256, 256, 256)) == \
        (256, 256, 256)
    assert head.get('deconv_kernel_sizes', (4, 4, 4)) == (4, 4, 4)
    assert head.out_channels == 17


@pytest.mark.parametrize('res', INPUT_SIZES)
def test_codec_and_pipelines_follow_the_input_size(res):
    cfg = load(f'topdown_heatmap_moga_s_{res}')
    height, width = map(int, res.split('x'))
    codec = cfg.model.head.decoder
    assert (codec.type, codec.sigma) == ('MSRAHeatmap', 2)
    assert codec.input_size == (width, height)
    assert codec.heatmap_size == (width // 4, height // 4)
    train = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in train] == [
        'LoadImage', 'GetBBoxCenterScale', 'RandomFlip', 'RandomHalfBody',
        'RandomBBoxTransform', 'TopdownAffine', 'GenerateTarget',
        'PackPoseInputs'
    ]
    assert train[5].input_size == (width, height)
    assert train[6].encoder == codec
    for split in ('val', 'test'):
        pipeline = cfg[f'{split}_dataloader'].dataset.pipeline
        (affine, ) = [t for t in pipeline if t.type == 'TopdownAffine']
        assert affine.input_size == (width, height)


def test_official_recipe():
    cfg = load('topdown_heatmap_moga_s_256x192')
    assert cfg.train_cfg.max_epochs == 210
    assert cfg.train_dataloader.batch_size == 32
    assert cfg.auto_scale_lr.base_batch_size == 256
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr) == ('Adam', 1e-3)
    warmup, steps = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end,
            warmup.by_epoch) == ('LinearLR', 0.001, 500, False)
    assert (steps.type, steps.milestones, steps.gamma) == \
        ('MultiStepLR', [170, 200], 0.1)
    test_cfg = cfg.model.test_cfg
    assert (test_cfg.flip_test, test_cfg.flip_mode,
            test_cfg.shift_heatmap) == (True, 'heatmap', True)
    assert cfg.model.head.loss == dict(type='KeypointMSELoss',
                                       use_target_weight=True)
    val = cfg.val_dataloader.dataset
    assert osp.basename(val.bbox_file) == \
        'COCO_val2017_detections_AP_H_56_person.json'
    assert cfg.test_dataloader.dataset.bbox_file == val.bbox_file
    assert cfg.val_evaluator.type == 'CocoMetric'
    assert cfg.train_dataloader.dataset.type == 'CocoDataset'
    assert cfg.train_dataloader.dataset.data_mode == 'topdown'


def test_toy_config_changes_only_what_the_cpu_forces():
    toy = load('toy/topdown_heatmap_moga_xt_toy')
    full = load('topdown_heatmap_moga_xt_256x192')
    assert toy.model.backbone.arch == full.model.backbone.arch
    assert toy.model.head.in_channels == full.model.head.in_channels
    assert toy.model.test_cfg == full.model.test_cfg
    assert toy.optim_wrapper.optimizer.type == 'Adam'
    assert toy.model.head.decoder.input_size == (96, 128)
    # Ground-truth boxes: the toy data has no detector results.
    assert toy.val_dataloader.dataset.bbox_file is None
    assert toy.test_dataloader.dataset.bbox_file is None
    assert [t.type for t in toy.train_dataloader.dataset.pipeline] == \
        [t.type for t in full.train_dataloader.dataset.pipeline]
