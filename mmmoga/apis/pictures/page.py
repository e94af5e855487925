"""The web page of ``tools/app.py``: a picture or a short video in, the
predictions of a chosen model drawn beside a table of what was found.

Built with Gradio (the ``app`` extra), imported when the page is built.
Each model is a config with its checkpoint (and, for top-down pose, an
optional person detector); its predictor (:mod:`.predictors`) is built on
first use and kept. Whatever goes wrong with one request (a file that is
not a picture, a picture too large, a model that does not load) is said in
the page's message box; the page stays up.
"""
import os.path as osp
import tempfile
from typing import Dict, List, NamedTuple, Optional, Tuple

import mmcv
import numpy as np

from mmmoga.errors import MmmogaError

from .predictors import InferenceSettings, build_predictor
from .video import draw_video

# Larger pictures are refused (with a hint to slice them): decoding,
# drawing and sending one back takes longer than a page should wait.
MAX_PIXELS = 40_000_000
# A video on the page is drawn up to this many frames (tools/infer.py takes
# whole videos).
MAX_VIDEO_FRAMES = 150
DEFAULT_SLICE = 640


class PageModel(NamedTuple):
    """A model the page offers: shown as ``name``; pose models may name a
    person detector (config and checkpoint)."""
    name: str
    config: str
    checkpoint: str
    det_config: Optional[str] = None
    det_checkpoint: Optional[str] = None


class PageAnswer(NamedTuple):
    """What the page shows for one request: the drawn image (RGB) or the
    drawn video file, the table's rows and a message."""
    image: Optional[np.ndarray]
    video: Optional[str]
    rows: List[Dict[str, object]]
    message: str


class PagePredictors:
    """The page's models, each predictor built on first use (with and
    without slicing) and kept."""

    def __init__(self, models: List[PageModel], device: str = 'cpu'):
        self.models = {model.name: model for model in models}
        self.device = device
        self._built: Dict[Tuple[str, Optional[int]], object] = {}

    def predictor(self, name: str, slice_size: Optional[int] = None):
        key = (name, slice_size)
        if key not in self._built:
            model = self.models[name]
            self._built[key] = build_predictor(
                model.config,
                InferenceSettings(
                    checkpoint=model.checkpoint, device=self.device,
                    det_config=model.det_config,
                    det_checkpoint=model.det_checkpoint,
                    slice_size=slice_size))
        return self._built[key]

    def answer(self, name: str, upload: Optional[str], score_thr: float,
               sliced: bool, slice_size: int,
               out_dir: str) -> PageAnswer:
        """The page's answer to running model ``name`` on the uploaded
        file ``upload``; every known failure becomes the message."""
        if upload is None:
            return PageAnswer(None, None, [], 'Upload an image or a video.')
        if name not in self.models:
            return PageAnswer(None, None, [], f'Unknown model {name!r}.')
        file_name = osp.basename(upload)
        try:
            image = _decoded_image(upload)
            predictor = self.predictor(name)
            if sliced and predictor.task != 'det':
                return PageAnswer(None, None, [],
                                  'Slicing serves detection models; '
                                  f'{name} is a {predictor.task} model.')
            if sliced:
                predictor = self.predictor(name, int(slice_size))
            _set_threshold(predictor, score_thr)
            if image is None:
                out_file = osp.join(
                    out_dir, osp.splitext(file_name)[0] + '_drawn.webm')
                result = draw_video(predictor, upload, out_file,
                                    MAX_VIDEO_FRAMES)
                return PageAnswer(
                    None, result.out_file, [],
                    f'{file_name}: {result.frames} frames drawn at '
                    f'{result.achieved_fps:.1f} frames per second.')
            if image.shape[0] * image.shape[1] > MAX_PIXELS:
                return PageAnswer(
                    None, None, [],
                    f'{file_name} is {image.shape[1]} x {image.shape[0]} '
                    f'pixels; the page takes up to {MAX_PIXELS / 1e6:g} '
                    'megapixels (tools/infer.py takes any size; --slice '
                    'tiles large images).')
            prediction = predictor(image, file_name)
        except MmmogaError as error:
            return PageAnswer(None, None, [], f'{file_name}: {error}')
        except Exception as error:  # noqa: BLE001
            # Anything else a library raises: the page says it and stays
            # up for the next request (the server log has the traceback).
            import traceback
            traceback.print_exc()
            return PageAnswer(None, None, [],
                              f'{file_name}: {type(error).__name__}: '
                              f'{error}')
        return PageAnswer(prediction.drawn, None, prediction.rows,
                          f'{file_name}: {len(prediction.rows)} found.')


def _decoded_image(upload: str) -> Optional[np.ndarray]:
    """The uploaded file as a BGR image; None for a file OpenCV reads as a
    video.

    Raises:
        ConfigCheckError: It is neither.
    """
    import cv2

    from mmmoga.errors import ConfigCheckError
    try:
        image = mmcv.imread(upload)
    except Exception:  # the decoders' error classes share no base
        image = None
    if image is not None:
        return image
    capture = cv2.VideoCapture(upload)
    readable = capture.isOpened() and capture.read()[0]
    capture.release()
    if not readable:
        raise ConfigCheckError(
            'not an image or a video that this machine decodes')
    return None


def _set_threshold(predictor, score_thr: float):
    """The page's slider: the lowest score of a drawn detection, or of a
    drawn keypoint."""
    target = getattr(predictor, 'predictor', predictor)  # sliced
    if hasattr(target, 'score_thr'):
        target.score_thr = score_thr
    if hasattr(target, 'kpt_thr'):
        target.kpt_thr = score_thr


def build_page(predictors: PagePredictors, title: str = 'mmmoga'):
    """The Gradio ``Blocks`` of the page."""
    import gradio as gr
    import pandas as pd

    out_dir = tempfile.mkdtemp(prefix='mmmoga_page_')
    names = list(predictors.models)

    def run(name, upload, score_thr, sliced, slice_size):
        answer = predictors.answer(name, upload, score_thr, sliced,
                                   slice_size, out_dir)
        table = pd.DataFrame(answer.rows) if answer.rows else \
            pd.DataFrame({'found': []})
        return answer.image, answer.video, table, answer.message

    with gr.Blocks(title=title) as page:
        gr.Markdown(f'# {title}\nMogaNet models on your pictures: upload '
                    'an image (or a short video), pick a model, press Run.')
        with gr.Row():
            with gr.Column(scale=1):
                model = gr.Dropdown(names, value=names[0] if names else None,
                                    label='model', elem_id='model')
                upload = gr.File(label='image or video', type='filepath',
                                 elem_id='upload')
                score_thr = gr.Slider(
                    0., 1., value=0.5, step=0.05,
                    label='score threshold (detection boxes, pose '
                    'keypoints)', elem_id='score-thr')
                with gr.Row():
                    sliced = gr.Checkbox(
                        False, label='slice a large image (detection)',
                        elem_id='sliced')
                    slice_size = gr.Number(DEFAULT_SLICE, precision=0,
                                           minimum=32, label='tile size',
                                           elem_id='slice-size')
                button = gr.Button('Run', variant='primary', elem_id='run')
                message = gr.Textbox(label='message', interactive=False,
                                     elem_id='message')
            with gr.Column(scale=2):
                drawn = gr.Image(label='predictions', type='numpy',
                                 interactive=False, elem_id='drawn')
                table = gr.Dataframe(label='found', interactive=False,
                                     elem_id='found')
                video = gr.Video(label='predictions (video)',
                                 interactive=False, elem_id='drawn-video')
        button.click(run, [model, upload, score_thr, sliced, slice_size],
                     [drawn, video, table, message])
    return page
