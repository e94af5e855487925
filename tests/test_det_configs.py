"""Every detection config builds, trains a step and predicts on CPU."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from mmmoga.utils import check_backbone

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
# Model configs; files under _base_/ hold shared pieces, not models.
DET_CONFIGS = sorted(
    osp.relpath(path, REPO)
    for path in glob.glob(osp.join(REPO, 'configs/det/**/*.py'),
                          recursive=True) if '/_base_/' not in path)

# (exact parameter count, size in the official MogaNet model zoo in M).
# The zoo rounds to 0.1M and is off for two models whose official configs
# equal ours: RetinaNet-T is 14.47M (listed 14.4M) and Mask R-CNN-L 102.05M
# (listed 102.1M); the backbones match the official structure exactly.
MODEL_SIZES = {
    'mask_rcnn_moga_xt': (22766634, 22.8),
    'mask_rcnn_moga_t': (24968476, 25.0),
    'mask_rcnn_moga_s': (44990083, 45.0),
    'mask_rcnn_moga_b': (63383075, 63.4),
    'mask_rcnn_moga_l': (102048346, 102.1),
    'mask_rcnn_moga_t_ms3x': (24968476, 25.0),
    'mask_rcnn_moga_s_ms3x': (44990083, 45.0),
    'mask_rcnn_moga_b_ms3x': (63383075, 63.4),
    'mask_rcnn_moga_l_ms3x': (102048346, 102.1),
    'retinanet_moga_xt': (12120110, 12.1),
    'retinanet_moga_t': (14469408, 14.4),
    'retinanet_moga_s': (35072647, 35.1),
    'retinanet_moga_b': (53465639, 53.5),
    'retinanet_moga_l': (92425822, 92.4),
    'cascade_mask_rcnn_moga_s_ms3x': (77918353, 77.9),
    'cascade_mask_rcnn_moga_s_giou_4conv1f_ms3x': (82825285, 82.8),
    'cascade_mask_rcnn_moga_b_giou_4conv1f_ms3x': (101218277, 101.2),
    'cascade_mask_rcnn_moga_l_giou_4conv1f_ms3x': (139883548, 139.9),
}


def build_detector(config):
    from mmdet.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, config))
    init_default_scope(cfg.default_scope)
    # What the Runner does on a single process: SyncBN heads become BN.
    return cfg, revert_sync_batchnorm(MODELS.build(cfg.model))


def test_every_published_config_exists():
    names = {osp.splitext(osp.basename(p))[0] for p in DET_CONFIGS}
    assert set(MODEL_SIZES) <= names
    assert 'configs/det/mask_rcnn_moga_s.py' in DET_CONFIGS


@pytest.mark.parametrize('config', DET_CONFIGS)
def test_config_size_training_step_and_prediction(config):
    from mmdet.testing import demo_mm_inputs
    cfg, model = build_detector(config)
    check_backbone(cfg)
    name = osp.splitext(osp.basename(config))[0]
    if name in MODEL_SIZES:  # the size of the official model zoo
        exact, published_millions = MODEL_SIZES[name]
        params = sum(p.numel() for p in model.parameters())
        assert params == exact
        assert abs(params / 1e6 - published_millions) < 0.075
    with_mask = 'mask' in osp.basename(config)
    num_classes = (cfg.model.get('roi_head', {}).get('mask_head', {})
                   or cfg.model.get('bbox_head', {})).get('num_classes', 80)
    torch.manual_seed(0)
    packed = demo_mm_inputs(
        batch_size=2, image_shapes=[(3, 128, 160), (3, 96, 128)],
        num_items=[3, 2], num_classes=num_classes, with_mask=with_mask)
    model.train()
    data = model.data_preprocessor(packed, True)
    losses = model(**data, mode='loss')
    loss, log_vars = model.parse_losses(losses)
    assert torch.isfinite(loss), log_vars
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    before = model.backbone.patch_embed1.projection[0].weight.clone()
    optim_wrapper.update_params(loss)
    assert not torch.equal(before,
                           model.backbone.patch_embed1.projection[0].weight)

    model.eval()
    with torch.no_grad():
        results = model(**model.data_preprocessor(packed, False),
                        mode='predict')
    assert len(results) == 2
    for result in results:
        assert 'bboxes' in result.pred_instances
        assert ('masks' in result.pred_instances) == with_mask


def test_optimizer_skips_decay_on_norms_and_scales():
    cfg, model = build_detector('configs/det/mask_rcnn_moga_s.py')
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    decay = {id(p): g['weight_decay'] for g in optimizer.param_groups
             for p in g['params']}
    params = dict(model.named_parameters())
    for name in ('backbone.blocks3.0.layer_scale_1',
                 'backbone.blocks3.0.attn.sigma.scale',
                 'backbone.blocks3.0.mlp.sigma.scale',
                 'backbone.blocks3.0.norm1.weight', 'backbone.norm4.bias',
                 'backbone.patch_embed1.projection.1.weight'):
        assert decay[id(params[name])] == 0, name
    for name in ('backbone.blocks3.0.attn.gate.weight',
                 'roi_head.bbox_head.shared_fcs.0.weight'):
        assert decay[id(params[name])] == 0.05, name
