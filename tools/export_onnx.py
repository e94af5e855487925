"""Exports a MogaNet model in deploy mode to ONNX, with dynamic batch and
image size, and checks ONNX Runtime against PyTorch before it keeps the file.

    # the backbone alone: image -> the stage outputs of out_indices
    python tools/export_onnx.py configs/cls/moganet_s_in1k.py CKPT \\
        moganet_s.onnx --part backbone
    # a classifier: image -> logits; a segmentor: image -> per-pixel class
    # logits at the image's size (whole-image inference)
    python tools/export_onnx.py configs/cls/moganet_s_in1k.py CKPT cls.onnx
    python tools/export_onnx.py configs/seg/upernet_moga_s_512x512_160k_ade20k.py \\
        CKPT seg.onnx

CKPT may hold the plain structure (as training saves it; it is folded after
loading) or the deployed one (tools/reparameterize_model.py). The input is a
normalised float32 image batch (N, C, H, W), as the config's
data_preprocessor hands it to the model; the exported graph does no
resizing, normalisation or post-processing. Detectors are not exported: their
test-time post-processing (NMS, RoI pooling) needs MMDeploy's rewriters, and
MMDeploy 1.3.1, the latest release, pins protobuf<=3.20.2 while onnx 1.23
needs protobuf>=6.31.1, so the two cannot be installed together.
"""
import argparse
import os
import os.path as osp

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import DictAction
from torch import nn

from mmmoga.models import (DeployLayoutError, MogaNet,
                           is_deployed_state_dict, moganet_configs,
                           switch_model_to_deploy)
from mmmoga.utils import (ConfigCheckError, build_config_model,
                          load_checkpoint_file, load_config)

# Largest ONNX Runtime - PyTorch difference accepted, relative to the
# largest output (float32 arithmetic in a different order).
TOLERANCE = 1e-4


class ClassifierLogits(nn.Module):
    """An MMPretrain classifier as ``image -> logits``."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.model(image, mode='tensor')


class SegmentorLogits(nn.Module):
    """An MMSegmentation encoder-decoder as ``image -> class logits`` at the
    image's size, resized as its ``predict`` resizes them."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        logits = self.model(image, mode='tensor')
        return F.interpolate(logits, size=image.shape[2:], mode='bilinear',
                             align_corners=self.model.align_corners)


EXPORTS = {
    # default_scope: (what the graph returns, wrapper)
    'mmpretrain': ('logits', ClassifierLogits),
    'mmseg': ('seg_logits', SegmentorLogits),
}


def parse_args():
    parser = argparse.ArgumentParser(
        description='Export a MogaNet model (deploy mode) to ONNX')
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='weights (plain or deployed)')
    parser.add_argument('out', help='the .onnx file to write')
    parser.add_argument(
        '--part', choices=['model', 'backbone'], default='model',
        help='model: a classifier or segmentor as a whole; backbone: the '
        'MogaNet alone')
    parser.add_argument(
        '--shape', type=int, nargs=2, default=None, metavar=('H', 'W'),
        help='image size traced and checked (default: 224 224; any size '
        'runs afterwards)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. model.head.num_classes=10')
    return parser.parse_args()


def load_model(cfg, checkpoint_path):
    """The config's model with the checkpoint loaded, in deploy mode."""
    checkpoint = load_checkpoint_file(checkpoint_path)
    state_dict = checkpoint.get('state_dict', checkpoint)
    deployed = is_deployed_state_dict(state_dict)
    for _, backbone_cfg in moganet_configs(cfg.model):
        backbone_cfg['deploy'] = deployed
    model = build_config_model(cfg).eval()
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    if missing or unexpected:
        raise ConfigCheckError(
            f'{checkpoint_path} does not fit the model of the config: '
            f'{len(missing)} keys missing (e.g. {missing[:3]}), '
            f'{len(unexpected)} left over (e.g. {unexpected[:3]})')
    if not deployed:
        switch_model_to_deploy(model)
    return model


def exported_module(cfg, model, part):
    """The module to export and the names of its outputs."""
    if part == 'backbone':
        backbones = [m for m in model.modules() if isinstance(m, MogaNet)]
        if len(backbones) != 1:
            raise ConfigCheckError(
                f'--part backbone needs exactly one MogaNet in the model, '
                f'found {len(backbones)}')
        backbone = backbones[0]
        return backbone, [f'stage{i}' for i in backbone.out_indices]
    output_name, wrapper = EXPORTS[cfg.get('default_scope')]
    return wrapper(model).eval(), [output_name]


def fixed_size_reason(module):
    """Why the image size of ``module`` cannot be dynamic in ONNX, or None.

    Adaptive average pooling to an output larger than 1x1 (UperNet's pyramid
    pooling) is exported as gathers whose indices are computed for the traced
    size; ONNX has no adaptive pooling operator.
    """
    for name, layer in module.named_modules():
        if isinstance(layer, nn.AdaptiveAvgPool2d) and layer.output_size not in (
                1, (1, 1)):
            return (f'{name} pools adaptively to {layer.output_size}, which '
                    'ONNX can only express for a fixed input size')
    return None


def export(module, output_names, in_channels, shape, dynamic_size, path):
    """Exports with torch's ONNX exporter (torch.export based), the batch
    and, where ``dynamic_size``, the image size dynamic."""
    image = torch.rand(2, in_channels, *shape)
    dynamic = torch.export.Dim.DYNAMIC
    dims = {0: dynamic, 2: dynamic, 3: dynamic} if dynamic_size else {
        0: dynamic
    }
    with torch.no_grad():
        program = torch.onnx.export(
            module, (image, ),
            dynamo=True,
            input_names=['image'],
            output_names=output_names,
            dynamic_shapes=(dims, ),
            verbose=False)
    program.save(path)


@torch.no_grad()
def check_onnxruntime(module, path, in_channels, shapes, raise_errors=True):
    """Largest ONNX Runtime - PyTorch difference, relative to the largest
    output, over ``shapes`` (batch, height, width); with ``raise_errors``
    False an ONNX Runtime failure counts as an infinite difference."""
    import onnxruntime
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    generator = torch.Generator().manual_seed(0)
    worst = 0.
    for batch, height, width in shapes:
        image = torch.rand(batch, in_channels, height, width,
                           generator=generator)
        expected = module(image)
        expected = expected if isinstance(expected, (tuple, list)) else [
            expected
        ]
        try:
            outputs = session.run(None, {'image': image.numpy()})
        except Exception:  # ONNX Runtime's error classes share no base
            if raise_errors:
                raise
            return float('inf')
        scale = max(1., max(float(e.abs().max()) for e in expected))
        worst = max(worst, max(
            float(np.abs(out - exp.numpy()).max())
            for out, exp in zip(outputs, expected)) / scale)
    return worst


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    if not moganet_configs(cfg.model):
        raise ConfigCheckError(f'the model of {args.config} has no MogaNet')
    scope = cfg.get('default_scope')
    if args.part == 'model' and scope not in EXPORTS:
        raise ConfigCheckError(
            f'whole models of {sorted(EXPORTS)} configs are exported; '
            f'{args.config} has default_scope {scope!r} (detectors need '
            "MMDeploy, see this tool's description); --part backbone "
            'exports its backbone')
    model = load_model(cfg, args.checkpoint)
    module, output_names = exported_module(cfg, model, args.part)
    backbone = next(m for m in model.modules() if isinstance(m, MogaNet))
    in_channels = backbone.in_channels
    height, width = args.shape or (224, 224)
    traced = (2, height, width)
    fixed_size = fixed_size_reason(module)
    unchecked = args.out + '.unchecked'
    try:
        if not fixed_size:
            export(module, output_names, in_channels, (height, width), True,
                   unchecked)
            other = (1, height + 37, max(1, width - 29))
            difference = check_onnxruntime(module, unchecked, in_channels,
                                           [traced, other],
                                           raise_errors=False)
            if not difference <= TOLERANCE:
                # torch.export keeps the size symbolic but bakes in sizes the
                # model computes in Python (e.g. mmseg's Upsample takes int()
                # of its input's shape), so only another size tells.
                fixed_size = (
                    f'at {other[1]}x{other[2]} the graph is wrong (the model '
                    'computes sizes from the traced shape)')
        if fixed_size:
            export(module, output_names, in_channels, (height, width), False,
                   unchecked)
        shapes = [traced, (1, height, width)] if fixed_size else [traced,
                                                                  other]
        difference = check_onnxruntime(module, unchecked, in_channels, shapes)
    except Exception:
        if osp.exists(unchecked):
            os.remove(unchecked)
        raise
    if not difference <= TOLERANCE:
        os.remove(unchecked)
        raise ConfigCheckError(
            f'ONNX Runtime outputs differ from PyTorch by {difference:.2e} '
            f'of the largest output (allowed {TOLERANCE:.0e}); nothing '
            'written')
    os.replace(unchecked, args.out)
    size = f'{height}x{width} only' if fixed_size else 'any H, W'
    checked = ', '.join(f'{b}x{in_channels}x{h}x{w}' for b, h, w in shapes)
    print(f'wrote {args.out}: image (N, {in_channels}, H, W) -> '
          f'{", ".join(output_names)}; dynamic batch, {size}; ONNX Runtime '
          f'equals PyTorch within {difference:.1e} of the largest output '
          f'on {checked}')
    if fixed_size:
        print(f'the image size is fixed: {fixed_size}')


if __name__ == '__main__':
    try:
        main()
    except (ConfigCheckError, DeployLayoutError) as error:
        raise SystemExit(f'error: {error}') from None
