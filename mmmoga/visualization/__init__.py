"""Drawing predictions where the task libraries' own visualizers fall short.

``import mmmoga`` registers in MMEngine's root ``VISUALIZERS`` registry
(which the task libraries' registries fall back to) ``OneLabelDetVisualizer``
and a readable version of each library's visualizer
(:mod:`mmmoga.visualization.readable`): ``ReadableDetLocalVisualizer``,
``ReadableSegLocalVisualizer``, ``ReadablePoseLocalVisualizer``,
``ReadableUniversalVisualizer``. Each is registered by a function that
imports its module, and with it the task library, only when a config builds
one.
"""
import importlib

from mmengine.config import Config
from mmengine.registry import VISUALIZERS

from .pose_drawing import PoseDrawer, load_person_boxes, people_json
from .readable import captioned_side_by_side, enlargement

# Each visualizer registered here: its module, and the library visualizer
# it makes readable (None: one of our own).
VISUALIZER_MODULES = {
    'OneLabelDetVisualizer': ('det_drawing', None),
    'ReadableDetLocalVisualizer': ('det_drawing', 'DetLocalVisualizer'),
    'ReadableSegLocalVisualizer': ('seg_drawing', 'SegLocalVisualizer'),
    'ReadablePoseLocalVisualizer': ('pose_visualizer', 'PoseLocalVisualizer'),
    'ReadableUniversalVisualizer': ('cls_drawing', 'UniversalVisualizer'),
}
# A library visualizer's type -> its readable version's.
READABLE_VISUALIZERS = {
    library: name
    for name, (_, library) in VISUALIZER_MODULES.items() if library
}


def _register(name: str, module: str):

    def build(**args):
        """The visualizer with the config's arguments (which its constructor
        checks), as the one instance of that name, as the registry builds
        visualizers."""
        visualizer_class = getattr(
            importlib.import_module(f'{__name__}.{module}'), name)
        return visualizer_class.get_instance(**args)

    build.__name__ = f'build_{name}'
    VISUALIZERS.register_module(name=name, module=build)


for _name, (_module, _) in VISUALIZER_MODULES.items():
    _register(_name, _module)


def use_readable_visualizer(cfg: Config):
    """Makes ``cfg.visualizer`` the readable version of the library
    visualizer it names (same arguments); any other visualizer, a user's
    own or ours, is kept."""
    visualizer = cfg.get('visualizer')
    if visualizer is not None and visualizer.get('type') in \
            READABLE_VISUALIZERS:
        visualizer['type'] = READABLE_VISUALIZERS[visualizer['type']]


__all__ = [
    'PoseDrawer', 'load_person_boxes', 'people_json',
    'use_readable_visualizer', 'READABLE_VISUALIZERS',
    'captioned_side_by_side', 'enlargement'
]
