"""mmmoga: MogaNet backbones for the OpenMMLab 2.0 stack.

Importing the package (directly or through
``custom_imports=dict(imports=['mmmoga'])``) registers, once, in MMEngine's
root registries, which the registries of mmdet, mmseg, mmpose and mmpretrain
all fall back to:

* ``MODELS``: ``MogaNet``, ``LN2d`` and ``OnnxModel`` (an exported model
  that ``tools/test.py`` evaluates); ``WEIGHT_INITIALIZERS``:
  ``FanOutNormal``;
* ``DATASETS``: ``CheckedDataset``;
* ``HOOKS``: ``AtomicCheckpointHook``, ``CheckpointFitHook``,
  ``MogaNetDeployHook``, ``NonFiniteLossHook``, ``ResumeStateHook``;
* ``LOOPS``: ``ResumableEpochBasedTrainLoop``,
  ``ResumableIterBasedTrainLoop``; ``DATA_SAMPLERS``:
  ``ResumableBatchSampler``;
* ``OPTIM_WRAPPER_CONSTRUCTORS``: ``MergedGroupsOptimWrapperConstructor``;
* ``VISUALIZERS``: ``OneLabelDetVisualizer`` (built lazily: it imports
  MMDetection);
* the file backend ``atomic_local``.

It also makes mmengine load local checkpoints safely on torch >= 2.6
(:mod:`mmmoga.checkpoint.safe_loading`). The layers and which way imports run
are described in ``docs/architecture.md``.
"""
from . import datasets, engine, runtime, visualization  # noqa: F401
from .checkpoint import enable_safe_checkpoint_loading
from .models import LayerNorm2d, MogaNet
from .version import __version__

enable_safe_checkpoint_loading()

__all__ = ['__version__', 'MogaNet', 'LayerNorm2d']
