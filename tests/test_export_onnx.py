"""tools/export_onnx.py: deploy-mode classifier and segmentor in ONNX
Runtime against the plain PyTorch model."""
import json
import os.path as osp
import sys
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import torch

from helpers import build_from_config, run_tool, tool_error
from mmmoga.apis import export_onnx, load_config
from test_moganet_reparameterization import ATOL, randomise

# Runs the tools end to end (training or exporting included).
pytestmark = pytest.mark.slow


def plain_checkpoint(config, path, meta=None):
    """The config's model with trained-looking random weights, saved (with
    ``meta``, as a training run saves its dataset meta)."""
    torch.manual_seed(0)
    _, model = build_from_config(config)
    randomise(model.backbone)
    torch.save(dict(state_dict=model.state_dict(), meta=meta or {}), path)
    return model.eval()


@pytest.mark.usefixtures('restore_default_scope')
def test_segmentor_exports_for_any_size(exported_toy, trained_toy):
    """UperNet's pyramid pooling (adaptive pooling to 1, 2, 3 and 6 bins)
    would fix the graph's size: the exported graph (the short-trained toy
    model's, which the quantization tests share) computes the bins from the
    input's size, and equals the plain model (the layers as mmseg has them)
    at another size and batch than traced."""
    from mmmoga.checkpoint import load_checkpoint_file
    from toy_tasks import TOY_TASKS
    toy = TOY_TASKS['seg']
    exported = exported_toy('seg')
    assert exported.fixed_size is None and exported.batch_size is None
    work_dir, _ = trained_toy('seg')
    _, model = build_from_config(toy.config)
    model.load_state_dict(load_checkpoint_file(
        osp.join(work_dir, toy.checkpoint))['state_dict'])
    model.eval()
    session = onnxruntime.InferenceSession(
        exported.path, providers=['CPUExecutionProvider'])
    image = torch.rand(3, 3, 75, 141)
    (onnx_out, ) = session.run(None, {'image': image.numpy()})
    with torch.no_grad():
        expected = torch.nn.functional.interpolate(
            model(image, mode='tensor'), size=(75, 141), mode='bilinear',
            align_corners=model.align_corners).numpy()
    assert onnx_out.shape == expected.shape
    assert np.abs(expected).max() > 0.1
    np.testing.assert_allclose(onnx_out, expected, atol=ATOL, rtol=0)


def run_test_in_process(config, checkpoint, options, work_dir, **testing):
    """What tools/test.py runs (``prepare_testing`` and the Runner's test),
    in this process: the metrics. ``options`` as the tool takes them."""
    import argparse

    from mmmoga.apis import prepare_testing
    from mmmoga.apis.run.cli import add_cfg_options_argument
    from mmmoga.engine import build_runner
    parser = argparse.ArgumentParser()
    add_cfg_options_argument(parser)
    cfg = load_config(config, parser.parse_args(options).cfg_options)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = osp.basename(str(work_dir))  # one per Runner
    prepare_testing(cfg, checkpoint, **testing)
    return build_runner(cfg).test()


def test_a_detector_the_graph_cannot_compute_is_explained(tmp_path):
    config = 'configs/det/toy/mask_rcnn_moga_xt_toy.py'
    plain_checkpoint(config, tmp_path / 'plain.pth')
    result = run_tool(
        sys.executable, 'tools/export_onnx.py', config,
        str(tmp_path / 'plain.pth'), str(tmp_path / 'x.onnx'),
        '--cfg-options', 'model.roi_head.mask_roi_extractor.roi_layer.'
        'pool_mode=max')
    assert tool_error(result) == (
        f'error: {config}: model.roi_head.mask_roi_extractor: the exported '
        'graph computes a SingleRoIExtractor with RoIAlign of average '
        'pooling, as the MogaNet detectors have')
    assert not (tmp_path / 'x.onnx').exists()


def predictions_of(path):
    import pickle
    with open(path, 'rb') as file:
        return [sample['pred_instances'] for sample in pickle.load(file)]


def assert_same_detections(pytorch, exported):
    """Image by image: the same labels, boxes within 0.01 px, scores within
    1e-4, and masks (where there are) differing in few pixels."""
    assert len(pytorch) == len(exported)
    for expected, found in zip(pytorch, exported):
        assert len(expected['labels']) > 0
        assert torch.equal(expected['labels'], found['labels'])
        assert (expected['bboxes'] - found['bboxes']).abs().max() < 0.01
        assert (expected['scores'] - found['scores']).abs().max() < 1e-4
        if 'masks' in expected:
            masks = torch.as_tensor(expected['masks'])
            assert masks.any()
            different = masks != torch.as_tensor(found['masks'])
            assert different.float().mean() < 1e-3




def test_retinanet_exports_with_nms(tmp_path):
    """Random weights: the exported RetinaNet (dynamic size, NMS inside)
    takes the image with its shape and rescaling, and the export's own check
    found the same detections as PyTorch at two sizes (the runtime's path
    after the graph is the Mask R-CNN test's)."""
    config = 'configs/det/toy/retinanet_moga_xt_toy.py'
    plain_checkpoint(config, tmp_path / 'plain.pth')
    onnx_path = str(tmp_path / 'retinanet.onnx')
    exported = export_onnx(load_config(config), str(tmp_path / 'plain.pth'),
                           onnx_path, shape=(256, 224))
    assert (exported.input_names, exported.output_names) == (
        ['image', 'image_shape', 'scale_factor'],
        ['boxes', 'scores', 'labels'])
    assert exported.batch_size == 1 and exported.fixed_size is None
    # The other size checked is padded as mmdet pads: to a multiple of 32.
    assert exported.checked_shapes == [(1, 256, 224), (1, 320, 224)]
    # Detections were compared, not only empty results.
    assert exported.check_note is None


MASK_RCNN = 'configs/det/toy/mask_rcnn_moga_xt_toy.py'


@pytest.fixture(scope='module')
def mask_rcnn_export(tmp_path_factory):
    """The toy Mask R-CNN with trained-looking random weights (the
    checkpoint's path) and its export (``Exported``), once per module."""
    from mmengine.registry import DefaultScope, init_default_scope
    folder = tmp_path_factory.mktemp('mask_rcnn_export')
    # Class names and palette other than the config's, as a checkpoint
    # trained on other data carries them.
    dataset_meta = dict(classes=('disc', 'box', 'wedge'),
                        palette=[(255, 0, 0), (0, 255, 0), (0, 0, 255)],
                        reduce_zero_label=False)
    plain_checkpoint(MASK_RCNN, folder / 'plain.pth',
                     meta=dict(dataset_meta=dataset_meta))
    current = DefaultScope.get_current_instance()
    try:
        exported = export_onnx(load_config(MASK_RCNN),
                               str(folder / 'plain.pth'),
                               str(folder / 'mask_rcnn.onnx'),
                               shape=(256, 224))
    finally:
        init_default_scope(current.scope_name if current is not None
                           else 'mmengine')
    return str(folder / 'plain.pth'), exported


@pytest.mark.usefixtures('restore_default_scope')
def test_mask_rcnn_exports_with_its_heads_and_tests_as_pytorch(
        mask_rcnn_export, toy_data, tmp_path):
    """Random weights: the exported Mask R-CNN (RPN, RoI heads, NMS and mask
    head inside) evaluated by tools/test.py in OpenVINO finds the same
    detections and masks as the PyTorch model in deploy mode, and
    tools/infer.py's inference draws with it."""
    from mmmoga.apis import InferenceSettings, infer
    from mmmoga.apis.pictures.predictors import onnx_dataset_meta
    from mmmoga.runtime import stored_dataset_meta
    from toy_tasks import short_run_options
    config = MASK_RCNN
    checkpoint, exported = mask_rcnn_export
    onnx_path = exported.path
    assert exported.output_names == ['boxes', 'scores', 'labels', 'masks']
    assert exported.fixed_size is None
    # What drawing needs travels with the file; nothing else.
    assert stored_dataset_meta(onnx_path) == dict(
        classes=['disc', 'box', 'wedge'],
        palette=[(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    data_root = toy_data('det')
    options = short_run_options('det', data_root)
    run_test_in_process(config, checkpoint, options,
                        tmp_path / 'pytorch', deploy=True,
                        out=str(tmp_path / 'pytorch.pkl'))
    # OpenVINO here; the export's check ran the file in ONNX Runtime.
    run = run_tool(sys.executable, 'tools/test.py', config, onnx_path,
                   '--backend', 'openvino', '--out',
                   str(tmp_path / 'onnx.pkl'), '--work-dir',
                   str(tmp_path / 'onnx'), *options)
    assert run.returncode == 0, run.stderr[-3000:]
    assert 'coco/segm_mAP' in run.stdout + run.stderr
    assert_same_detections(predictions_of(tmp_path / 'pytorch.pkl'),
                           predictions_of(tmp_path / 'onnx.pkl'))
    # Drawn through mmdet's inferencer with the checkpoint's classes and
    # palette.
    image = sorted((Path(data_root) / 'val').glob('*.jpg'))[0]
    infer(config, [str(image)], InferenceSettings(
        checkpoint=onnx_path, out_dir=str(tmp_path / 'drawn'),
        score_thr=0.))
    assert (tmp_path / 'drawn' / 'vis' / (image.stem + '.png')).is_file()
    with open(tmp_path / 'drawn' / 'pred' / (image.stem + '.json')) as f:
        predictions = json.load(f)
    assert len(predictions['labels']) > 0 and 'masks' in predictions
    # The drawing took the file's classes and colours (as tuples: a list
    # is not a colour to mmdet's visualizer).
    assert onnx_dataset_meta(load_config(config), onnx_path) == dict(
        classes=['disc', 'box', 'wedge'],
        palette=[(255, 0, 0), (0, 255, 0), (0, 0, 255)])


def test_mask_rcnn_int8_passes_the_gate(mask_rcnn_export, toy_data,
                                        tmp_path):
    """tools/quantize.py on the exported Mask R-CNN: OpenVINO INT8
    (FakeQuantize inside), box and mask AP within the gate on the first two
    toy val images (the COCO file cut to them), the checkpoint's classes
    carried into the IR."""
    import openvino

    from mmmoga.runtime import stored_dataset_meta
    from toy_tasks import short_run_options
    _, exported = mask_rcnn_export
    out = str(tmp_path / 'int8.xml')
    run = run_tool(sys.executable, 'tools/quantize.py', MASK_RCNN,
                   exported.path, out, '--backend', 'openvino',
                   '--calib-images', '3', '--val-images', '2',
                   *short_run_options('det', toy_data('det')))
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert lines[-1].startswith(f'wrote {out}: INT8 within 1 points')
    assert any(line.startswith('INT8: box AP') and 'mask AP' in line
               for line in lines)
    assert 'the first 2 validation images' in run.stdout
    assert 'FakeQuantize' in {
        op.get_type_name()
        for op in openvino.Core().read_model(out).get_ops()}
    assert stored_dataset_meta(out)['classes'] == ['disc', 'box', 'wedge']


def last_metric(output, name):
    """The last value the log gives ``name`` (e.g. ``coco/AP``)."""
    import re
    values = re.findall(re.escape(name) + r': (-?[0-9.]+)', output)
    assert values, output[-3000:]
    return float(values[-1])


@pytest.mark.usefixtures('restore_default_scope')
@pytest.mark.parametrize('task,metric,backend', [
    ('pose', 'coco/AP', 'onnxruntime'),
    ('cls', 'accuracy/top1', 'openvino'),
])
def test_an_exported_model_scores_as_the_pytorch_one(
        task, metric, backend, trained_toy, exported_toy, toy_data,
        tmp_path):
    """The exported file, evaluated as tools/test.py does (in this process)
    with the config's own dataset and metric, scores as training validated
    the checkpoint (the same val set; deploy mode equals the plain model
    within 1e-4)."""
    from toy_tasks import TOY_TASKS, short_run_options
    toy = TOY_TASKS[task]
    _, log = trained_toy(task)
    exported = exported_toy(task)
    onnx_path = exported.path
    # The classifier takes any size, checked at one neither traced nor a
    # multiple of 32; a pose model, its input size.
    assert exported.checked_shapes[-1] == {
        'pose': (1, 128, 96), 'cls': (1, 261, 195)}[task]
    assert (exported.fixed_size is None) == (task == 'cls')
    metrics = run_test_in_process(
        toy.config, onnx_path, short_run_options(task, toy_data(task)),
        tmp_path / 'onnx', backend=backend)
    scale = 100 if task == 'cls' else 1  # mmpretrain reports percentages
    assert abs(last_metric(log, metric) - metrics[metric]) <= 0.005 * scale
