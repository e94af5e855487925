"""Drawing predictions where the task libraries' own visualizers fall short.

``import mmmoga`` registers ``OneLabelDetVisualizer`` in MMEngine's root
``VISUALIZERS`` registry (mmdet's falls back to it), by a function that
imports the class, and with it MMDetection, only when a config builds one.
"""
from mmengine.registry import VISUALIZERS

from .pose_drawing import PoseDrawer, load_person_boxes


@VISUALIZERS.register_module(name='OneLabelDetVisualizer')
def build_one_label_det_visualizer(**args):
    """:class:`~mmmoga.visualization.det_drawing.OneLabelDetVisualizer` with
    the config's arguments (which its constructor checks), as the one
    instance of that name, as the registry builds visualizers."""
    from .det_drawing import OneLabelDetVisualizer
    return OneLabelDetVisualizer.get_instance(**args)


__all__ = ['PoseDrawer', 'load_person_boxes', 'build_one_label_det_visualizer']
