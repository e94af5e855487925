"""The toy detection configs draw one label per object."""
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.visualization import DetLocalVisualizer
from mmengine.structures import InstanceData

from mmmoga.visualization.det_drawing import OneLabelDetVisualizer


def test_overlapping_boxes_of_other_classes_are_drawn_once(monkeypatch):
    drawn = []
    monkeypatch.setattr(
        DetLocalVisualizer, 'add_datasample',
        lambda self, name, image, data_sample, *args: drawn.append(
            data_sample))
    sample = DetDataSample()
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[10., 10., 50., 50.], [12., 11., 51., 50.],
                             [60., 60., 90., 90.], [61., 60., 90., 91.]]),
        scores=torch.tensor([0.6, 0.9, 0.7, 0.4]),
        labels=torch.tensor([0, 1, 2, 2]))
    visualizer = OneLabelDetVisualizer(name='one_label_test', iou_thr=0.5)
    visualizer.add_datasample('image', np.zeros((100, 100, 3), np.uint8),
                              sample, pred_score_thr=0.5)
    (kept, ) = drawn
    # The higher-scoring of the two overlapping boxes of different classes;
    # the box under the score threshold is not drawn.
    assert kept.pred_instances.labels.tolist() == [1, 2]
    torch.testing.assert_close(kept.pred_instances.scores,
                               torch.tensor([0.9, 0.7]))
    assert len(sample.pred_instances) == 4  # the prediction is untouched


def test_the_toy_configs_build_it_through_mmdets_registry(
        restore_default_scope):
    """``import mmmoga`` registers it in the root registry; MMDetection's
    falls back to it, with no extra custom import in the config."""
    from mmdet.registry import VISUALIZERS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile('configs/det/toy/retinanet_moga_xt_toy.py')
    assert cfg.custom_imports.imports == ['mmmoga']
    init_default_scope('mmdet')
    visualizer = VISUALIZERS.build(
        dict(cfg.visualizer, name='one_label_registry_test'))
    assert isinstance(visualizer, OneLabelDetVisualizer)
    assert visualizer.iou_thr == 0.5
