"""Drawing predictions where the task libraries' own visualizers fall short."""
from .pose_drawing import PoseDrawer, load_person_boxes

__all__ = ['PoseDrawer', 'load_person_boxes']
