"""mmmoga: MogaNet backbones for the OpenMMLab 2.0 stack.

Importing the package (directly or through
``custom_imports=dict(imports=['mmmoga'])``) registers ``MogaNet`` and
``LN2d`` once, in the MMEngine root ``MODELS`` registry (and
``MogaNetDeployHook`` in its ``HOOKS``), which the registries
of mmdet, mmseg, mmpose and mmpretrain all fall back to; it also makes
mmengine load checkpoints safely on torch >= 2.6 (see
:mod:`mmmoga.utils.safe_loading`).
"""
from .datasets import CheckedDataset
from .engine import MogaNetDeployHook
from .models import LayerNorm2d, MogaNet
from .utils import enable_safe_checkpoint_loading
from .version import __version__

enable_safe_checkpoint_loading()

__all__ = ['__version__', 'MogaNet', 'LayerNorm2d', 'MogaNetDeployHook']
