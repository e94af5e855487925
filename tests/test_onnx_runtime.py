"""Exported models at run time (mmmoga.runtime): tools/test.py's options
for an .onnx file, and the runtime's errors, each one line."""
import numpy as np
import pytest
import torch

from helpers import config_with
from mmmoga.apis.export.pose import decode_heatmaps
from mmmoga.apis.run.testing import prepare_testing
from mmmoga.errors import CheckpointError, ConfigCheckError
from mmmoga.runtime import open_session

CLS_TOY = 'configs/cls/toy/moganet_xt_toy.py'


@pytest.mark.parametrize('checkpoint,options,match', [
    ('model.pth', dict(backend='openvino'),
     r'--backend openvino runs exported models \(.onnx, .xml\); model.pth is '
     'a PyTorch checkpoint'),
    ('model.xml', dict(backend='onnxruntime'),
     'model.xml is an OpenVINO IR, which --backend openvino runs'),
    ('model.onnx', dict(tta=True), '--tta applies to PyTorch checkpoints'),
    ('model.onnx', dict(deploy=True),
     '--deploy applies to PyTorch checkpoints; model.onnx is an exported '
     'model'),
])
def test_options_that_do_not_fit_an_onnx_file(checkpoint, options, match):
    with pytest.raises(ConfigCheckError, match=match):
        prepare_testing(config_with(CLS_TOY), checkpoint, **options)


def test_an_onnx_file_replaces_the_model(tmp_path):
    # As a config dumped by a --deploy run has it.
    cfg = config_with(CLS_TOY, **{
        'test_dataloader.dataset.data_root': str(tmp_path / 'data'),
        'custom_hooks': [dict(type='MogaNetReparameterizeHook'),
                         dict(type='NonFiniteLossHook')]})
    with pytest.raises(CheckpointError,
                       match='exported model model.onnx does not exist'):
        prepare_testing(cfg, 'model.onnx')
    onnx_file = tmp_path / 'model.onnx'
    onnx_file.write_bytes(b'')
    # The config is still checked: here its data is missing.
    with pytest.raises(ConfigCheckError, match='Dataset path .*data'):
        prepare_testing(cfg, str(onnx_file), backend='openvino')
    assert cfg.model.type == 'OnnxModel'
    assert cfg.model.backend == 'openvino'
    # The exported model is in deploy mode already.
    assert [hook.type for hook in cfg.custom_hooks] == ['NonFiniteLossHook']
    # MMPretrain's default preprocessor type, made explicit.
    assert cfg.model.data_preprocessor.type == 'ClsDataPreprocessor'
    assert 'load_from' not in cfg or cfg.load_from is None


@pytest.mark.parametrize('backend', ['onnxruntime', 'openvino'])
def test_unreadable_onnx_files_are_one_error(tmp_path, backend):
    with pytest.raises(CheckpointError, match='missing.onnx does not exist'):
        open_session(str(tmp_path / 'missing.onnx'), backend)
    broken = tmp_path / 'broken.onnx'
    broken.write_bytes(b'not a graph')
    with pytest.raises(CheckpointError,
                       match=f'broken.onnx cannot be loaded by {backend}'):
        open_session(str(broken), backend)


def test_heatmap_decoding_matches_mmpose():
    """Random heatmaps with maxima on the borders and below zero, against
    MMPose's MSRAHeatmap decoder sample by sample."""
    from mmpose.codecs import MSRAHeatmap
    codec = MSRAHeatmap(input_size=(96, 128), heatmap_size=(24, 32),
                        sigma=2)
    generator = torch.Generator().manual_seed(0)
    heatmaps = torch.rand(4, 5, 32, 24, generator=generator)
    heatmaps[0, 0, 0, 5] = 2.  # top row
    heatmaps[0, 1, 7, 23] = 2.  # right column
    heatmaps[0, 2, 31, 1] = 2.  # bottom-left corner region
    heatmaps[1, 3] -= 1.5  # maximum below zero
    keypoints, scores = decode_heatmaps(heatmaps, (4., 4.))
    for index, sample in enumerate(heatmaps.numpy()):
        expected, expected_scores = codec.decode(sample)
        np.testing.assert_allclose(keypoints[index].numpy(), expected[0],
                                   atol=1e-5)
        np.testing.assert_allclose(scores[index].numpy(), expected_scores[0],
                                   atol=1e-6)
    assert (keypoints[1, 3] == -4).all()


def test_pose_graph_predicts_as_mmpose():
    """The module exported for a pose model (flip test, shifted and swapped
    heatmaps, decoding) against the PyTorch model's own predict, random
    weights, in the input crop's pixels."""
    from mmengine.structures import InstanceData
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.structures import PoseDataSample

    from helpers import build_from_config
    from mmmoga.apis.export.pose import pose_keypoints
    cfg, model = build_from_config(
        'configs/pose/toy/topdown_heatmap_moga_xt_toy.py')
    model.eval()
    flip_indices = parse_pose_metainfo(
        dict(from_file='configs/_base_/datasets/coco.py'))['flip_indices']
    image = torch.rand(2, 3, 128, 96, generator=torch.Generator(
    ).manual_seed(0))
    samples = []
    for _ in range(2):
        sample = PoseDataSample(metainfo=dict(
            input_size=(96, 128), input_center=np.array([48., 64.]),
            input_scale=np.array([96., 128.]), flip_indices=flip_indices))
        sample.gt_instances = InstanceData(bboxes=np.zeros((1, 4)),
                                           bbox_scores=np.ones(1))
        samples.append(sample)
    with torch.no_grad():
        keypoints, scores, _ = pose_keypoints(cfg, model)(image)
        predicted = model.predict(image, samples)
    expected = np.concatenate([s.pred_instances.keypoints for s in predicted])
    np.testing.assert_allclose(keypoints.numpy(), expected, atol=1e-4)
    np.testing.assert_allclose(
        scores.numpy(),
        np.concatenate([s.pred_instances.keypoint_scores
                        for s in predicted]), atol=1e-6)


def test_sliding_window_segmentation_is_refused(tmp_path):
    onnx_file = tmp_path / 'seg.onnx'
    onnx_file.write_bytes(b'')
    cfg = config_with('configs/seg/toy/upernet_moga_xt_toy.py', **{
        'model.test_cfg.mode': 'slide'})
    with pytest.raises(ConfigCheckError,
                       match="model.test_cfg.mode='slide': an exported "
                       'segmentor runs whole images'):
        prepare_testing(cfg, str(onnx_file))
