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
  ``MogaNetReparameterizeHook`` (and its old name ``MogaNetDeployHook``),
  ``NonFiniteLossHook``, ``ResumeStateHook``;
* ``LOOPS``: ``ResumableEpochBasedTrainLoop``,
  ``ResumableIterBasedTrainLoop``; ``DATA_SAMPLERS``:
  ``ResumableBatchSampler``;
* ``OPTIM_WRAPPER_CONSTRUCTORS``: ``MergedGroupsOptimWrapperConstructor``;
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
# First: mmengine warns as it is imported.
from .utils.harmless_warnings import ignore_harmless_warnings  # noqa: I001

ignore_harmless_warnings()

from . import datasets, engine, runtime, visualization  # noqa: E402,F401
from .checkpoint import enable_safe_checkpoint_loading  # noqa: E402
from .model_index import enable_package_configs  # noqa: E402
from .models import LayerNorm2d, MogaNet  # noqa: E402
from .version import __version__  # noqa: E402

enable_safe_checkpoint_loading()
enable_package_configs()

# Models and configs by name (mmmoga.apis.run.model). They are imported on
# first use: `custom_imports=dict(imports=['mmmoga'])` needs only the
# registrations above, not the layer the tools use.
BY_NAME = ('list_models', 'get_config', 'get_model', 'get_inferencer')


def __getattr__(name):
    if name in BY_NAME:
        from . import apis
        return getattr(apis, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = ['__version__', 'MogaNet', 'LayerNorm2d', *BY_NAME]
