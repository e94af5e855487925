"""Predictions drawn on every frame of a video or a camera's stream, written
as a video at the input's frame rate (what ``tools/infer.py VIDEO`` and
``--webcam N`` do).

Frames are read and written by OpenCV, so any format the installed OpenCV
reads is taken. The output is MPEG-4 part 2 in ``.mp4`` or, for a web page,
VP8 in ``.webm`` (browsers play VP8; they do not play MPEG-4 part 2): the
two that the ``opencv-python`` wheels write without further codecs (they
have no H.264 encoder).
"""
import os
import os.path as osp
import time
from typing import Iterator, NamedTuple, Optional

import cv2
import numpy as np

from mmmoga.engine import quiet_current_logger
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import VIDEO_SUFFIXES, tracked

from .predictors import InferenceSettings, build_predictor, checked_task

# The codec written for each output suffix.
CODECS = {'.mp4': 'mp4v', '.webm': 'VP80'}
# OpenCV's log level that shows errors only (its LOG_LEVEL_ERROR).
ERROR_LOG_LEVEL = 2
# A stream that reports no frame rate (some cameras, some containers) is
# written at this rate.
FALLBACK_FPS = 25.


class VideoResult(NamedTuple):
    """What :func:`infer_video` wrote.

    Attributes:
        out_file: The annotated video.
        frames: Frames read, drawn and written.
        fps: The input's frame rate, which the output keeps.
        seconds: Time spent predicting and drawing the frames.
    """
    out_file: str
    frames: int
    fps: float
    seconds: float

    @property
    def achieved_fps(self) -> float:
        """Frames predicted, drawn and written per second."""
        return self.frames / self.seconds if self.seconds else 0.


def is_video(path: str) -> bool:
    return path.lower().endswith(VIDEO_SUFFIXES)


def _frames(capture: cv2.VideoCapture,
            max_frames: Optional[int]) -> Iterator[np.ndarray]:
    count = 0
    while max_frames is None or count < max_frames:
        ok, frame = capture.read()
        if not ok:
            return
        count += 1
        yield frame


def write_drawn_frames(predictor, frames: Iterator[np.ndarray],
                       out_file: str, fps: float, total: Optional[int],
                       interruptible: bool = False) -> VideoResult:
    """Runs ``predictor`` on each of ``frames`` (BGR) and writes the
    drawings into ``out_file`` at ``fps``, with a progress bar;
    ``interruptible``: Ctrl-C ends the video (a camera's stream) instead of
    the program."""
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    writer, size, count, spent = None, None, 0, 0.
    try:
        for frame in tracked(frames, 'frames', total=total):
            start = time.perf_counter()
            drawn = predictor(frame).drawn
            if writer is None:
                # Every frame is drawn at the first one's size (a drawing
                # is as large as its frame, or wider by its legend).
                size = (drawn.shape[1], drawn.shape[0])
                writer = _video_writer(out_file, fps, size)
                if not writer.isOpened():
                    raise ConfigCheckError(
                        f'OpenCV cannot write the video {out_file}')
            elif (drawn.shape[1], drawn.shape[0]) != size:
                drawn = cv2.resize(drawn, size)
            writer.write(np.ascontiguousarray(drawn[..., ::-1]))
            spent += time.perf_counter() - start
            count += 1
    except KeyboardInterrupt:
        if not interruptible:
            raise
    finally:
        if writer is not None:
            writer.release()
    return VideoResult(out_file, count, fps, spent)


def _video_writer(out_file: str, fps: float, size) -> cv2.VideoWriter:
    codec = CODECS[osp.splitext(out_file)[1].lower()]
    # OpenCV's FFmpeg backend warns that the WebM muxer does not know the
    # tag 'VP80' and then writes VP8 anyway: the warning is left out.
    level = cv2.getLogLevel()
    cv2.setLogLevel(ERROR_LOG_LEVEL)
    try:
        return cv2.VideoWriter(out_file, cv2.VideoWriter_fourcc(*codec),
                               fps, size)
    finally:
        cv2.setLogLevel(level)


def _frame_rate(capture: cv2.VideoCapture) -> float:
    fps = capture.get(cv2.CAP_PROP_FPS)
    return fps if fps and np.isfinite(fps) and fps > 0 else FALLBACK_FPS


def _opened(video: str) -> cv2.VideoCapture:
    """``video`` opened at its first frame, or one line why it cannot be."""
    capture = cv2.VideoCapture(video)
    ok, _ = capture.read()
    if not capture.isOpened() or not ok:
        capture.release()
        raise ConfigCheckError(
            f'{video}: the installed OpenCV reads no frame from it (not a '
            'video, or a format it lacks a decoder for)')
    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
    return capture


def draw_video(predictor, video: str, out_file: str,
               max_frames: Optional[int] = None) -> VideoResult:
    """Draws ``predictor``'s predictions on every frame of ``video`` (at
    most ``max_frames``) into ``out_file`` (``.mp4`` or ``.webm``).

    Raises:
        ConfigCheckError: OpenCV reads no frame from ``video``.
    """
    capture = _opened(video)
    try:
        count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        total = count if count > 0 else None
        if max_frames is not None and total is not None:
            total = min(total, max_frames)
        return write_drawn_frames(predictor, _frames(capture, max_frames),
                                  out_file, _frame_rate(capture), total)
    finally:
        capture.release()


def infer_video(config: str, video: str, settings: InferenceSettings,
                max_frames: Optional[int] = None) -> VideoResult:
    """Draws the predictions of ``config``'s model on every frame of
    ``video`` (at most ``max_frames``) into ``settings.out_dir/<name>.mp4``.

    Raises:
        ConfigCheckError: The video is missing or OpenCV cannot read it.
    """
    if not osp.isfile(video):
        raise ConfigCheckError(f'{video} does not exist')
    checked_task(config, settings)
    _opened(video).release()
    quiet_current_logger()
    predictor = build_predictor(config, settings)
    stem = osp.splitext(osp.basename(video))[0]
    return draw_video(predictor, video,
                      osp.join(settings.out_dir, stem + '.mp4'), max_frames)


def infer_webcam(config: str, camera: int, settings: InferenceSettings,
                 max_frames: Optional[int] = None) -> VideoResult:
    """Draws the predictions on the frames of camera ``camera`` into
    ``settings.out_dir/webcam_<camera>.mp4`` until ``max_frames`` or
    Ctrl-C.

    Raises:
        ConfigCheckError: There is no such camera.
    """
    checked_task(config, settings)
    capture = cv2.VideoCapture(camera)
    try:
        if not capture.isOpened():
            raise ConfigCheckError(
                f'--webcam {camera}: no camera {camera} on this machine '
                f'(OpenCV opens none at index {camera})')
        quiet_current_logger()
        predictor = build_predictor(config, settings)
        return write_drawn_frames(
            predictor, _frames(capture, max_frames),
            osp.join(settings.out_dir, f'webcam_{camera}.mp4'),
            _frame_rate(capture), max_frames, interruptible=True)
    finally:
        capture.release()
