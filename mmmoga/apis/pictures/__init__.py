"""Predictions on one's own pictures: still images (:mod:`.images`), videos
and cameras (:mod:`.video`), large images in tiles (:mod:`.slicing`) and a
page in the browser (:mod:`.page`), all through one predictor per task
(:mod:`.predictors`)."""
from .images import IMAGE_SUFFIXES, InputImages, infer, input_images
from .predictors import (
    DEFAULT_SCORE_THR,
    InferenceSettings,
    Prediction,
    build_predictor,
    checked_task,
)
from .video import VideoResult, infer_video, infer_webcam, is_video

__all__ = [
    'IMAGE_SUFFIXES', 'InputImages', 'infer', 'input_images',
    'DEFAULT_SCORE_THR', 'InferenceSettings', 'Prediction', 'build_predictor',
    'checked_task', 'VideoResult', 'infer_video', 'infer_webcam', 'is_video'
]
