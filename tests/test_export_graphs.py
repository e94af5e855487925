"""The pieces the exported graphs compute in place of the libraries' own
(mmmoga.apis.export.detector and segmentor, mmmoga.runtime.outputs),
against those libraries, without exporting."""
import pytest
import torch
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from torch import nn

from mmmoga.apis.export.detector import roi_features
from mmmoga.apis.export.segmentor import (
    BinAveragePool,
    IntegerUpsample,
    make_size_dynamic,
)
from mmmoga.runtime.outputs import detection


@pytest.mark.parametrize('bins', [1, 2, 3, 6, (2, 5)])
def test_bin_average_pool_is_adaptive_average_pool(bins):
    generator = torch.Generator().manual_seed(0)
    reference = nn.AdaptiveAvgPool2d(bins)
    pool = make_size_dynamic(nn.Sequential(reference))[0]
    assert isinstance(pool, BinAveragePool)
    # Sizes that divide into the bins, that do not, and smaller than them.
    for height, width in [(12, 12), (13, 7), (5, 17), (4, 3), (1, 1)]:
        x = torch.randn(2, 3, height, width, generator=generator)
        torch.testing.assert_close(pool(x), reference(x), atol=1e-6,
                                   rtol=1e-5)


def test_integer_upsample_is_mmseg_upsample():
    from mmseg.models.utils import Upsample
    reference = Upsample(scale_factor=2, mode='bilinear',
                         align_corners=False)
    kept = Upsample(scale_factor=1.5, mode='bilinear', align_corners=False)
    model = make_size_dynamic(nn.Sequential(reference, kept))
    assert isinstance(model[0], IntegerUpsample)
    assert model[1] is kept  # not an integer factor: left as it is
    x = torch.randn(1, 4, 7, 10)
    assert torch.equal(model[0](x), reference(x))


@pytest.mark.parametrize('sampling_ratio', [0, 2])
def test_roi_features_are_mmdets(sampling_ratio):
    """RoIs of every level (one beyond the coarsest), pooled as mmdet's
    SingleRoIExtractor with mmcv's RoIAlign kernel."""
    from mmdet.models.roi_heads.roi_extractors import SingleRoIExtractor
    extractor = SingleRoIExtractor(
        roi_layer=dict(type='RoIAlign', output_size=7,
                       sampling_ratio=sampling_ratio),
        out_channels=8, featmap_strides=[4, 8, 16, 32])
    generator = torch.Generator().manual_seed(0)
    features = [torch.randn(1, 8, 256 // s, 320 // s, generator=generator)
                for s in (4, 8, 16, 32, 64)]
    corners = torch.rand(40, 2, generator=generator) * 200
    sizes = torch.tensor([4., 30., 120., 250., 500.]).repeat(8)[:, None] * \
        (0.5 + torch.rand(40, 2, generator=generator))
    rois = torch.cat([torch.zeros(40, 1), corners, corners + sizes], dim=1)
    levels = extractor.map_roi_levels(rois, 4)
    assert set(levels.tolist()) == {0, 1, 2, 3}
    expected = extractor(features[:4], rois)
    torch.testing.assert_close(roi_features(extractor, features, rois),
                               expected, atol=1e-5, rtol=1e-5)


@pytest.mark.usefixtures('restore_default_scope')
def test_masks_are_pasted_as_mmdet_pastes_them():
    """The runtime's masks from the graph's per-box probabilities equal
    FCNMaskHead's, boxes partly outside the image and without area
    included."""
    from mmdet.models.roi_heads.mask_heads import FCNMaskHead
    from mmdet.structures import DetDataSample
    from mmengine.registry import init_default_scope
    init_default_scope('mmdet')  # the head builds its loss in mmdet's scope
    generator = torch.Generator().manual_seed(0)
    boxes = torch.tensor([[10., 20., 90., 60.], [-15., 30., 40., 140.],
                          [100., 40., 150., 85.], [50., 50., 50., 80.]])
    labels = torch.tensor([2, 0, 1, 1])
    logits = torch.randn(4, 3, 28, 28, generator=generator)
    sample = DetDataSample(metainfo=dict(ori_shape=(120, 200),
                                         scale_factor=(0.8, 0.75)))
    head = FCNMaskHead(num_classes=3)
    expected = head._predict_by_feat_single(
        logits, boxes.clone(), labels, sample.metainfo,
        ConfigDict(mask_thr_binary=0.5), rescale=True)
    outputs = dict(
        boxes=(boxes / torch.tensor([0.8, 0.75, 0.8, 0.75])).numpy(),
        scores=torch.rand(4).numpy(), labels=labels.numpy(),
        masks=logits.sigmoid()[torch.arange(4), labels].numpy())
    (found, ) = detection(outputs, [sample],
                          ConfigDict(mask_thr_binary=0.5))
    assert expected.any()
    assert torch.equal(found.pred_instances.masks, expected)
    assert isinstance(found.pred_instances, InstanceData)


def small_cascade(cfg):
    """The cascade Mask R-CNN (GIoU 4conv1fc heads) of MogaNet-S made
    small: MogaNet-XT, 32-channel FPN and heads, three classes, fewer
    proposals and detections."""
    model = cfg.model
    model.backbone.update(arch='xtiny', init_cfg=None)
    model.neck.update(in_channels=[32, 64, 96, 192], out_channels=32)
    model.rpn_head.update(in_channels=32, feat_channels=32)
    model.roi_head.bbox_roi_extractor.out_channels = 32
    model.roi_head.mask_roi_extractor.out_channels = 32
    for head in model.roi_head.bbox_head:
        head.update(in_channels=32, conv_out_channels=32, fc_out_channels=64,
                    num_classes=3)
    model.roi_head.mask_head.update(in_channels=32, conv_out_channels=32,
                                    num_classes=3)
    model.test_cfg.rpn.update(nms_pre=200, max_per_img=60)
    model.test_cfg.rcnn.max_per_img = 30


def random_detector(config, adjust=None):
    """``config``'s detector in eval mode with a randomised backbone and
    class scores that differ clearly between RoIs and classes (the initial
    heads score every RoI about the same)."""
    from helpers import build_from_config
    from test_moganet_reparameterization import randomise
    torch.manual_seed(0)
    _, model = build_from_config(config, adjust)
    randomise(model.backbone)
    bbox_heads = model.roi_head.bbox_head
    for head in bbox_heads if isinstance(bbox_heads, nn.ModuleList) else [
            bbox_heads]:
        nn.init.normal_(head.fc_cls.weight, std=0.3)
    return model.eval()


@pytest.mark.parametrize('config,adjust,cascade', [
    # Three stages with class-specific box heads, averaged mask heads.
    ('configs/det/cascade_mask_rcnn_moga_s_giou_4conv1f_ms3x.py',
     small_cascade, True),
    # Box-only: mmdet rescales the boxes before NMS.
    ('configs/det/toy/faster_rcnn_moga_xt_toy.py', None, False),
])
def test_the_two_stage_graph_predicts_as_mmdet(config, adjust, cascade):
    """RoIDetections, then the runtime's mask pasting, against mmdet's
    predict on a rescaled, padded image."""
    from mmdet.structures import DetDataSample

    from mmmoga.apis.export.detector import RoIDetections
    model = random_detector(config, adjust)
    generator = torch.Generator().manual_seed(1)
    image = torch.randn(1, 3, 224, 288, generator=generator)
    meta = dict(img_shape=(217, 285), ori_shape=(271, 380),
                scale_factor=(285 / 380, 217 / 271), batch_input_shape=(
                    224, 288), pad_shape=(224, 288))
    with torch.no_grad():
        (expected, ) = model.predict(image, [DetDataSample(metainfo=meta)])
        expected = expected.pred_instances
        graph = RoIDetections(model)
        outputs = graph(image, torch.tensor(meta['img_shape'],
                                            dtype=torch.float),
                        torch.tensor(meta['scale_factor']))
    assert graph.cascade == cascade and len(expected) > 5
    assert graph.with_mask == ('masks' in expected)
    (found, ) = detection(
        dict(zip(graph.output_names, (o.numpy() for o in outputs))),
        [DetDataSample(metainfo=meta)], ConfigDict(mask_thr_binary=0.5))
    found = found.pred_instances
    assert torch.equal(found.labels, expected.labels)
    torch.testing.assert_close(found.bboxes, expected.bboxes, atol=1e-3,
                               rtol=0)
    torch.testing.assert_close(found.scores, expected.scores, atol=1e-6,
                               rtol=0)
    if graph.with_mask:
        assert (found.masks != expected.masks).float().mean() < 1e-4
