"""The DINO configs: MMDetection's 4-scale DINO recipe with MogaNet S, B and
L in place of ResNet-50. Each builds at full size with the widths of its
last three stages wired into the ChannelMapper; the toy run (trained and
tested through the tools on a config tools/dataset_config.py writes) is in
test_query_heads_tools.py."""
import pytest

from helpers import build_from_config, load_task_config
from mmmoga.apis import check_backbone
from mmmoga.errors import ConfigCheckError

# size -> (MogaNet arch, widths of stages 2-4, exact parameter count)
SIZES = {
    's': ('small', [128, 320, 512], 44806367),
    'b': ('base', [160, 320, 512], 63199359),
    'l': ('large', [160, 320, 640], 102159542),
}


@pytest.fixture(scope='module')
def small():
    return build_from_config('configs/det/dino_4scale_moga_s.py')


@pytest.mark.parametrize('size', sorted(SIZES))
def test_each_size_reads_its_last_three_stages(size, small):
    arch, widths, params = SIZES[size]
    cfg, model = small if size == 's' else build_from_config(
        f'configs/det/dino_4scale_moga_{size}.py')
    check_backbone(cfg)
    assert cfg.model.backbone.arch == arch
    assert cfg.model.backbone.out_indices == (1, 2, 3)
    assert cfg.model.neck.in_channels == widths
    assert model.backbone.embed_dims[1:] == widths
    # Four scales: the three stages and the ChannelMapper's extra one.
    assert len(model.neck.convs) + len(model.neck.extra_convs) == 4
    assert model.encoder.layers[0].self_attn.num_levels == 4
    # OneDL's MMDetection 3.5 feeds the decoder's ref_point_head the sine
    # encoding of all four box coordinates at full width (1024 inputs where
    # upstream's 3.3 takes 512), one 256 x 512 weight more; its DINO cannot
    # load upstream's DINO checkpoints (docs/installation.md).
    ref_inputs = model.decoder.ref_point_head.layers[0].in_features
    assert ref_inputs in (512, 1024)
    assert sum(p.numel() for p in model.parameters()) == \
        params + (ref_inputs - 512) * 256


def test_a_neck_width_that_misses_the_stages_is_named():
    cfg = load_task_config('det', 'dino_4scale_moga_s')
    cfg.model.neck.in_channels = [64, 128, 320]  # stages 1-3
    with pytest.raises(ConfigCheckError,
                       match=r'model.neck.in_channels=\[64, 128, 320\].*'
                       r'widths are \[128, 320, 512\]'):
        check_backbone(cfg)


def test_the_recipe_is_mmdetections():
    cfg = load_task_config('det', 'dino_4scale_moga_s')
    assert (cfg.model.type, cfg.model.num_queries) == ('DINO', 900)
    optim = cfg.optim_wrapper
    assert (optim.optimizer.type, optim.optimizer.lr,
            optim.optimizer.weight_decay) == ('AdamW', 1e-4, 1e-4)
    assert optim.clip_grad.max_norm == 0.1
    assert optim.paramwise_cfg.custom_keys == {'backbone': {'lr_mult': 0.1}}
    assert cfg.train_cfg.max_epochs == 12
    assert cfg.param_scheduler[0].milestones == [11]
    assert cfg.train_dataloader.dataset.pipeline[3].type == 'RandomChoice'


def test_export_is_refused_in_one_line(small):
    """tools/export_onnx.py exports R-CNN and RetinaNet graphs only."""
    from mmmoga.apis.export import exported_module
    cfg, model = small
    with pytest.raises(ConfigCheckError,
                       match='detectors are exported with .* DINO has '
                       'neither'):
        exported_module(cfg, model, 'model')
