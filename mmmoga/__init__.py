"""mmmoga: MogaNet for PyTorch, timm and the OpenMMLab 2.0 stack.

With torch alone, ``import mmmoga`` gives the network
(:mod:`mmmoga.core`: ``MogaNet``, ``MogaNetClassifier`` and the blocks).
Where timm is installed, it registers the timm models ``moganet_xtiny`` ...
``moganet_xlarge`` (:mod:`mmmoga.timm_models`).

Where mmengine is installed, importing the package (directly or through
``custom_imports=dict(imports=['mmmoga'])``) also registers, once, in
MMEngine's root registries, which the registries of mmdet, mmseg, mmpose and
mmpretrain all fall back to:

* ``MODELS``: ``MogaNet`` (then ``mmmoga.MogaNet``, the core network with
  an ``init_cfg``), ``LN2d`` and ``OnnxModel`` (an exported model
  that ``tools/test.py`` evaluates); ``WEIGHT_INITIALIZERS``:
  ``FanOutNormal``;
* ``DATASETS``: ``CheckedDataset``;
* ``HOOKS``: ``AtomicCheckpointHook``, ``CheckpointFitHook``,
  ``MogaNetReparameterizeHook`` (and its old name ``MogaNetDeployHook``),
  ``NonFiniteLossHook``, ``ResumeStateHook``;
* ``LOOPS``: ``ResumableEpochBasedTrainLoop``,
  ``ResumableIterBasedTrainLoop``; ``DATA_SAMPLERS``:
  ``ResumableBatchSampler``;
* ``OPTIM_WRAPPER_CONSTRUCTORS``: ``MergedGroupsOptimWrapperConstructor``;
  ``OPTIM_WRAPPERS``: ``CpuAmpOptimWrapper`` (bfloat16 ``--amp`` on a CPU);
* ``VISUALIZERS``: ``OneLabelDetVisualizer`` and the readable versions of
  the task libraries' visualizers, ``ReadableDetLocalVisualizer``,
  ``ReadableSegLocalVisualizer``, ``ReadablePoseLocalVisualizer``,
  ``ReadableUniversalVisualizer`` (built lazily: each imports its library);
* the file backend ``atomic_local``.

It also makes mmengine load local checkpoints safely on torch >= 2.6
(:mod:`mmmoga.checkpoint.safe_loading`), and lets configs inherit ours as
``mmmoga::<task>/<file>.py``
(:func:`mmmoga.model_index.enable_package_configs`). It ignores the
warnings that say nothing a user can act on
(:mod:`mmmoga.utils.harmless_warnings`).
``mmmoga.list_models``, ``get_config``, ``get_model`` and
``get_inferencer`` give models and configs by name
(:mod:`mmmoga.apis.run.model`). The layers and which way imports run are
described in ``docs/architecture.md``.
"""
import importlib.util

from .version import __version__

# What is installed decides what is registered: the core needs torch only.
WITH_OPENMMLAB = importlib.util.find_spec('mmengine') is not None
WITH_TIMM = importlib.util.find_spec('timm') is not None

if WITH_OPENMMLAB:
    # First: mmengine warns as it is imported.
    from .utils.harmless_warnings import ignore_harmless_warnings

    ignore_harmless_warnings()

    from . import datasets, engine, runtime, visualization  # noqa: F401
    from .checkpoint import enable_safe_checkpoint_loading
    from .model_index import enable_package_configs
    from .models import LayerNorm2d, MogaNet

    enable_safe_checkpoint_loading()
    enable_package_configs()
else:
    from .core import LayerNorm2d, MogaNet
from .core import MogaNetClassifier  # noqa: E402

if WITH_TIMM:
    from . import timm_models  # noqa: F401

# Models and configs by name (mmmoga.apis.run.model). They are imported on
# first use: `custom_imports=dict(imports=['mmmoga'])` needs only the
# registrations above, not the layer the tools use.
BY_NAME = ('list_models', 'get_config', 'get_model', 'get_inferencer')


def __getattr__(name):
    if name in BY_NAME:
        if not WITH_OPENMMLAB:
            raise ImportError(
                f'mmmoga.{name} builds models from OpenMMLab configs and '
                'needs mmengine: pip install "mmmoga[cls]" (or det, seg, '
                'pose); with torch alone use mmmoga.MogaNet or '
                'mmmoga.MogaNetClassifier')
        from . import apis
        return getattr(apis, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = [
    '__version__', 'MogaNet', 'MogaNetClassifier', 'LayerNorm2d', *BY_NAME
]
