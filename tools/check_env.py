"""Checks that the OpenMMLab 2.0 stack and mmmoga import in this interpreter.

    python tools/check_env.py                # the default stack (.venv)
    python tools/check_env.py --stack onedl  # the OneDL forks (.venv-onedl)

Each check runs on its own so that one failure does not hide the others; the
script exits non-zero and names every failing check with the exception that
broke it.
"""
import argparse
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


def _numpy_2():
    import numpy
    assert not numpy.__version__.startswith('1.'), (
        f'numpy {numpy.__version__}: onedl-mmsegmentation requires numpy 2')
    return f'numpy {numpy.__version__}'


# The upstream distribution of each import name the forks install.
UPSTREAM_OF_FORK = {
    'onedl-mmengine': 'mmengine',
    'onedl-mmcv': 'mmcv',
    'onedl-mmdetection': 'mmdet',
    'onedl-mmsegmentation': 'mmsegmentation',
    'onedl-mmpretrain': 'mmpretrain',
}


def _forks_alone():
    from importlib.metadata import PackageNotFoundError, version
    beside = []
    for fork, upstream in UPSTREAM_OF_FORK.items():
        try:
            found = f'{fork} {version(fork)}'
        except PackageNotFoundError:
            raise AssertionError(f'{fork} is not installed') from None
        try:
            beside.append(f'{upstream} {version(upstream)} beside {found}')
        except PackageNotFoundError:
            pass
    assert not beside, ('upstream packages installed over the forks: ' +
                        ', '.join(beside))
    return f'{len(UPSTREAM_OF_FORK)} forks, no upstream package beside them'


def _mmpose_refused():
    """MMPose 1.3.2 asserts mmcv < 2.2.0 at import: on the OneDL stack the
    pose tools say so in one line (mmmoga.tasks), whether it is installed
    or not."""
    from mmmoga.errors import ConfigCheckError
    from mmmoga.tasks import TASKS
    try:
        TASKS['pose'].check_library()
    except ConfigCheckError as error:
        return f'pose tools answer: {error}'
    raise AssertionError('mmpose imports with this mmcv')


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


LIBRARY_CHECKS = {
    'default': [
        ('import mmdet.models', _import('mmdet.models')),
        ('import mmseg.models', _import('mmseg.models')),
        ('import mmpose.models', _import('mmpose.models')),
        ('import mmpretrain.models', _import('mmpretrain.models')),
        ('numpy 1', _numpy_1),
    ],
    'onedl': [
        ('import mmdet.models', _import('mmdet.models')),
        ('import mmseg.models', _import('mmseg.models')),
        ('import mmpretrain.models', _import('mmpretrain.models')),
        ('numpy 2', _numpy_2),
        ('the forks alone', _forks_alone),
    ],
}
COMMON_CHECKS = [
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
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--stack', choices=sorted(LIBRARY_CHECKS),
                        default='default',
                        help='which stack to expect (default: %(default)s)')
    stack = parser.parse_args().stack
    checks = [('mmcv.ops.nms', _mmcv_ops),
              ('torchvision.ops.nms', _torchvision_ops),
              *LIBRARY_CHECKS[stack], *COMMON_CHECKS]
    if stack == 'onedl':
        checks.append(('pose refused in one line', _mmpose_refused))
    failures = []
    for name, check in checks:
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
