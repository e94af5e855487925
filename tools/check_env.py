"""Checks that the OpenMMLab 2.0 stack and mmmoga import in this interpreter.

Each check runs on its own so that one failure does not hide the others; the
script exits non-zero and names every failing check with the exception that
broke it.
"""
import importlib
import sys
import traceback


def _mmcv_ops():
    import mmcv
    import torch
    from mmcv.ops import nms  # needs the compiled mmcv._ext
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
    _, keep = nms(boxes, torch.tensor([0.9, 0.8]), iou_threshold=0.5)
    assert keep.tolist() == [0], f'unexpected mmcv nms result {keep.tolist()}'
    return f'mmcv {mmcv.__version__} with compiled ops'


def _torchvision_ops():
    import torch
    import torchvision
    from torchvision.ops import nms
    keep = nms(torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]]),
               torch.tensor([0.9, 0.8]), 0.5)
    assert keep.tolist() == [0], \
        f'unexpected torchvision nms result {keep.tolist()}'
    return f'torch {torch.__version__}, torchvision {torchvision.__version__}'


def _numpy_1():
    import numpy
    assert numpy.__version__.startswith('1.'), (
        f'numpy {numpy.__version__}: xtcocotools needs numpy 1 (something '
        'installed after the stack upgraded it)')
    return f'numpy {numpy.__version__}'


def _import(name):

    def check():
        importlib.import_module(name)
        top = importlib.import_module(name.split('.')[0])
        return f'{name} ({getattr(top, "__version__", "?")})'

    return check


def _package_files():
    import os.path as osp

    from mmmoga.model_index import PACKAGE_DIR, files_root, load_published
    root = files_root()
    assert root == osp.join(PACKAGE_DIR, '.mim'), (
        f'mmmoga at {PACKAGE_DIR} has no .mim folder (configs, tools, model '
        'index) for mim and mmmoga:: configs')
    return f'{len(load_published(root))} models in {root}'


CHECKS = [
    ('mmcv.ops.nms', _mmcv_ops),
    ('torchvision.ops.nms', _torchvision_ops),
    ('import mmdet.models', _import('mmdet.models')),
    ('import mmseg.models', _import('mmseg.models')),
    ('import mmpose.models', _import('mmpose.models')),
    ('import mmpretrain.models', _import('mmpretrain.models')),
    ('numpy 1', _numpy_1),
    ('import onnxruntime', _import('onnxruntime')),
    ('import openvino', _import('openvino')),
    ('import onnxscript', _import('onnxscript')),
    ('import nncf', _import('nncf')),
    ('import mim', _import('mim')),
    ('import timm', _import('timm')),
    ('import gradio', _import('gradio')),
    ('import safetensors', _import('safetensors')),
    ('import mmmoga', _import('mmmoga')),
    ('mmmoga/.mim', _package_files),
]


def main():
    failures = []
    for name, check in CHECKS:
        try:
            print(f'  ok    {name}: {check()}')
        except Exception as exc:  # noqa: BLE001 - every failure is reported below
            failures.append(name)
            print(f'  FAIL  {name}: {type(exc).__name__}: {exc}')
            traceback.print_exc(limit=-3)
    if failures:
        print(f'environment check failed: {", ".join(failures)}',
              file=sys.stderr)
        return 1
    print('environment check passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
