"""The RTMPose-style configs: MMPose's RTMPose recipe (SimCC codec,
RTMCCHead, KL loss, EMA and the second-stage pipeline) with MogaNet XT, T
and S in place of CSPNeXt. Each builds at full size with its last stage's
width wired into the head; the smallest trains a step and predicts with
flip test; the toy config trains and tests through the tools."""
import sys

import pytest
import torch

from helpers import (
    build_from_config,
    load_task_config,
    run_tools,
    tool_error,
    train_step_and_predict,
)
from mmmoga.apis import check_backbone
from mmmoga.apis.run.config_checks import check_pipeline_packages
from mmmoga.errors import ConfigCheckError

# size -> (MogaNet arch, last-stage width, exact parameter count)
SIZES = {
    'xt': ('xtiny', 192, 3591437),
    't': ('tiny', 256, 5822015),
    's': ('small', 512, 25917606),
}
TOY = 'configs/pose/toy/rtmpose_moga_xt_toy.py'


def config_of(size):
    return f'configs/pose/rtmpose_moga_{size}_256x192.py'


@pytest.mark.parametrize('size', sorted(SIZES))
def test_each_size_reads_its_last_stage(size):
    arch, width, params = SIZES[size]
    cfg, model = build_from_config(config_of(size))
    check_backbone(cfg)
    assert cfg.model.backbone.arch == arch
    assert cfg.model.backbone.out_indices == (3, )
    assert cfg.model.head.type == 'RTMCCHead'
    assert cfg.model.head.in_channels == width
    assert model.backbone.embed_dims[-1] == width
    # 192x256 crops at the backbone's stride 32.
    assert tuple(cfg.model.head.in_featuremap_size) == (6, 8)
    assert sum(p.numel() for p in model.parameters()) == params


def test_a_head_width_that_misses_the_stage_is_named():
    cfg = load_task_config('pose', 'rtmpose_moga_xt_256x192')
    cfg.model.head.in_channels = 512
    with pytest.raises(ConfigCheckError, match='model.head.in_channels=512'):
        check_backbone(cfg)


def test_the_recipe_is_mmposes():
    cfg = load_task_config('pose', 'rtmpose_moga_s_256x192')
    assert cfg.codec.type == 'SimCCLabel'
    assert tuple(cfg.codec.input_size) == (192, 256)
    assert cfg.model.head.loss.type == 'KLDiscretLoss'
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr, optimizer.weight_decay) == \
        ('AdamW', 4e-3, 0.)
    assert [hook.type for hook in cfg.custom_hooks] == [
        'EMAHook', 'mmdet.PipelineSwitchHook']
    assert cfg.custom_hooks[1].switch_epoch == 390
    assert cfg.train_cfg.max_epochs == 420
    assert cfg.model.test_cfg.flip_test


def simcc_batch(cfg, batch_size=2):
    """Packed 256x192 person crops with SimCC targets and flip metainfo."""
    from mmengine.structures import InstanceData
    from mmpose.structures import PoseDataSample
    width, height = cfg.codec.input_size
    ratio = cfg.codec.simcc_split_ratio
    flip_indices = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15]
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append(torch.randint(0, 256, (3, height, width),
                                    dtype=torch.uint8))
        sample = PoseDataSample(metainfo=dict(
            input_size=(width, height),
            input_center=torch.tensor([[50., 60.]]).numpy(),
            input_scale=torch.tensor([[80., 100.]]).numpy(),
            flip_indices=flip_indices))
        sample.gt_instance_labels = InstanceData(
            keypoint_x_labels=torch.softmax(
                torch.rand(1, 17, int(width * ratio)), -1),
            keypoint_y_labels=torch.softmax(
                torch.rand(1, 17, int(height * ratio)), -1),
            keypoint_weights=torch.ones(1, 17))
        sample.gt_instances = InstanceData(
            bboxes=torch.tensor([[10., 10., 90., 110.]]).numpy(),
            bbox_scores=torch.ones(1).numpy())
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def test_smallest_size_trains_a_step_and_predicts_with_flip_test():
    cfg, model = build_from_config(config_of('xt'))
    torch.manual_seed(0)
    log_vars, results = train_step_and_predict(cfg, model, simcc_batch(cfg))
    assert 'loss_kpt' in log_vars
    for result in results:
        assert result.pred_instances.keypoints.shape == (1, 17, 2)
        assert result.pred_instances.keypoint_scores.shape == (1, 17)


def test_a_missing_albumentations_is_named(monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, 'find_spec',
        lambda name, *args: None if name == 'albumentations' else
        real(name, *args))
    cfg = load_task_config('pose', 'rtmpose_moga_xt_256x192')
    with pytest.raises(ConfigCheckError,
                       match=r'train_dataloader.dataset.pipeline\[7\] '
                       r'\(Albumentation\) needs the albumentations'):
        check_pipeline_packages(cfg, ('train', ))
    check_pipeline_packages(cfg, ('val', 'test'))  # none there


@pytest.mark.slow
def test_toy_config_trains_and_tests_with_the_tools(toy_data, tmp_path):
    """Trains, tests, and names the missing COCO of the full config."""
    from toy_tasks import TOY_TASKS, short_run_options
    options = short_run_options('pose', toy_data('pose'))
    checkpoint = tmp_path / TOY_TASKS['pose'].checkpoint
    train, test, full = run_tools([
        [sys.executable, 'tools/train.py', TOY, '--work-dir', str(tmp_path),
         *options],
        [sys.executable, 'tools/test.py', TOY, str(checkpoint), *options],
        [sys.executable, 'tools/train.py', config_of('xt')],
    ])
    assert train.returncode == 0, train.stderr[-3000:]
    assert 'loss_kpt' in train.stdout + train.stderr
    assert test.returncode == 0, test.stderr[-3000:]
    assert 'coco/AP' in test.stdout + test.stderr
    assert 'data/coco' in tool_error(full)
