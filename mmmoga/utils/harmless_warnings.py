"""Warnings that the OpenMMLab libraries and torch print on every run and
that tell a user nothing they can act on. Each is matched by the start of
its message (and its category), so that any other warning, from the same
library or not, is still shown; each says why it is harmless.

``import mmmoga`` ignores them (:func:`ignore_harmless_warnings`) before it
imports mmengine, the first of them to warn. ``warnings.resetwarnings()``
brings them back."""
import re
import warnings
from typing import NamedTuple, Type


class HarmlessWarning(NamedTuple):
    message: str  # how the message starts (a regular expression)
    category: Type[Warning]
    why: str  # why it is harmless


HARMLESS_WARNINGS = (
    HarmlessWarning(
        'pkg_resources is deprecated as an API', UserWarning,
        "mmengine's package_utils imports (and reloads) pkg_resources to see "
        'which OpenMMLab libraries are installed; setuptools is pinned below '
        '81, where it still exists, and nothing else uses it.'),
    HarmlessWarning(
        '``build_loss`` would be deprecated soon', UserWarning,
        "MMSegmentation's own decode heads build their losses with it."),
    HarmlessWarning(
        'Default ``avg_non_ignore`` is False', UserWarning,
        'The segmentation configs keep the averaging of the official '
        'recipes (over every pixel, as mmseg 0.x did) on purpose; the '
        'warning repeats on every build.'),
    HarmlessWarning(
        'The draw is False, it means that the hook for visualization',
        UserWarning,
        "MMSegmentation's visualization hook says it on every run without "
        "--show-dir, where drawing nothing is what was asked for."),
    HarmlessWarning(
        '`reduce_zero_label` will be deprecated', UserWarning,
        "MMSegmentation's own ADE20K pipelines still pass it to "
        'LoadAnnotations, with the value its dataset would set.'),
    HarmlessWarning(
        r'The metainfo config file "configs/_base_/datasets/\w+\.py" does '
        'not exist', UserWarning,
        "MMPose's datasets name their metainfo relative to MMPose's source "
        'tree and then read the same file installed with MMPose, as the '
        'warning itself goes on to say.'),
    HarmlessWarning(
        r'Failed to add <class .mmengine\.visualization\.vis_backend\.'
        r'LocalVisBackend.>, please provide the `save_dir`', UserWarning,
        "The task libraries' inferencers build the config's visualizer "
        'without a folder for its log backend; they write the drawings '
        'themselves.'),
    HarmlessWarning(
        r'Warning: The (bbox|polygon) is out of bounds', UserWarning,
        "mmengine's visualizer says it of a predicted box or mask reaching "
        'past the image border, which is drawn cut at the border, as a user '
        'expects.'),
    HarmlessWarning(
        'faster_coco_eval is not installed, metrics will not be computed',
        UserWarning,
        "OneDL's MMDetection says it as it imports its metrics, of the "
        'FasterCocoMetric, which needs that optional package; our configs '
        'evaluate with CocoMetric (pycocotools).'),
    HarmlessWarning(
        r'`isinstance\(treespec, LeafSpec\)` is deprecated', FutureWarning,
        "torch's own pytree code says it while torch.export copies a "
        'module; nothing of ours calls it.'),
)


def ignore_harmless_warnings():
    """Adds an ``ignore`` filter for each of :data:`HARMLESS_WARNINGS`."""
    for harmless in HARMLESS_WARNINGS:
        warnings.filterwarnings('ignore', message=harmless.message,
                                category=harmless.category)


def is_harmless(message: str) -> bool:
    """Whether a warning's ``message`` is one of :data:`HARMLESS_WARNINGS`
    (the tests use it)."""
    return any(re.match(harmless.message, message)
               for harmless in HARMLESS_WARNINGS)
