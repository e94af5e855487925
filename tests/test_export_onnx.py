"""tools/export_onnx.py: deploy-mode classifier and segmentor in ONNX
Runtime against the plain PyTorch model."""
import sys

import numpy as np
import onnxruntime
import pytest
import torch

from helpers import build_from_config, run_tool, tool_error
from mmmoga.apis.export import ClassifierLogits, SegmentorLogits
from test_moganet_deploy import ATOL, randomise

# Runs the tools end to end (training or exporting included).
pytestmark = pytest.mark.slow


def plain_checkpoint(config, path):
    """The config's model with trained-looking random weights, saved."""
    torch.manual_seed(0)
    _, model = build_from_config(config)
    randomise(model.backbone)
    torch.save(dict(state_dict=model.state_dict()), path)
    return model.eval()


@pytest.mark.parametrize('config,outputs,size,sizes_note', [
    # Any size: checked at one neither traced nor a multiple of 32.
    ('configs/cls/toy/moganet_xt_toy.py', ClassifierLogits, (67, 45),
     'dynamic batch, any H, W'),
    # mmseg's FPNHead upsamples to int() sizes, which tracing bakes in: the
    # tool finds out and exports the traced size only.
    ('configs/seg/toy/fpn_moga_xt_toy.py', SegmentorLogits, (96, 128),
     'dynamic batch, 96x128 only'),
])
def test_export_matches_plain_model(config, outputs, size, sizes_note,
                                    tmp_path):
    model = plain_checkpoint(config, tmp_path / 'plain.pth')
    onnx_path = tmp_path / 'model.onnx'
    result = run_tool(sys.executable, 'tools/export_onnx.py', config,
                      str(tmp_path / 'plain.pth'), str(onnx_path),
                      '--shape', '96', '128')
    assert result.returncode == 0, result.stderr[-3000:]
    assert sizes_note in result.stdout
    session = onnxruntime.InferenceSession(
        str(onnx_path), providers=['CPUExecutionProvider'])
    # Another batch than traced, against the plain (not deployed) PyTorch
    # model.
    image = torch.rand(3, 3, *size)
    (onnx_out, ) = session.run(None, {'image': image.numpy()})
    with torch.no_grad():
        expected = outputs(model)(image).numpy()
    assert onnx_out.shape == expected.shape
    assert np.abs(expected).max() > 0.1
    np.testing.assert_allclose(onnx_out, expected, atol=ATOL, rtol=0)


def test_detectors_are_explained(tmp_path):
    result = run_tool(sys.executable, 'tools/export_onnx.py',
                      'configs/det/toy/mask_rcnn_moga_xt_toy.py',
                      'configs/det/toy/mask_rcnn_moga_xt_toy.py',
                      str(tmp_path / 'x.onnx'))
    last = tool_error(result)
    assert last.startswith('error: ') and 'MMDeploy' in last
    assert not list(tmp_path.iterdir())
