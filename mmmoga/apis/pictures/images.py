"""Drawing a trained model's predictions on image files, for every task
(:mod:`.predictors` predicts and draws; this module sorts the inputs out and
writes the results): the drawn images go to ``OUT_DIR/vis/<name>.png`` and
the predictions to ``OUT_DIR/pred/<name>``:

* detection: ``.json`` with ``labels``, ``scores``, ``bboxes`` (and ``masks``
  as COCO RLE) of every prediction, as MMDetection's ``DetInferencer``
  writes them (only those scoring ``--score-thr`` or more are drawn);
* segmentation: ``.png`` label maps, one class index per pixel;
* pose (top-down): ``.json``, one entry per person: ``keypoints``,
  ``keypoint_scores``, ``bbox`` and ``bbox_score``;
* classification: ``.json`` with ``pred_scores``, ``pred_label`` and
  ``pred_class``, as MMPretrain's inferencer returns them.

An exported checkpoint (an ``.onnx`` of ``tools/export_onnx.py`` or
``tools/quantize.py``, run in ONNX Runtime or OpenVINO; an OpenVINO IR
``.xml`` of ``tools/quantize.py``) runs through the same inferencers: the
config's model becomes an ``OnnxModel`` (as in ``tools/test.py``), and the
class names and palette come from the file (stored from the checkpoint at
export) or else from the config's test dataset.
"""
import json
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Sequence, Tuple

import mmcv
from mmengine.utils import scandir

from mmmoga.engine import quiet_current_logger
from mmmoga.errors import ConfigCheckError
from mmmoga.utils import IMAGE_SUFFIXES, tracked

from .predictors import (
    InferenceSettings,
    Prediction,
    build_predictor,
    checked_task,
)


class InputImages(NamedTuple):
    """The inputs of :func:`infer`, sorted out.

    Attributes:
        images: Image files that decode, folders expanded in sorted order.
        not_images: Files without an image suffix, left out.
        unreadable: (image file, why) of the image files that do not
            decode, left out.
    """
    images: List[str]
    not_images: List[str]
    unreadable: List[Tuple[str, str]]


def _decode_problem(path: str) -> Optional[str]:
    """Why the image file ``path`` cannot be decoded, or None."""
    try:
        image = mmcv.imread(path)
    except Exception as error:  # the decoders' error classes share no base
        return str(error).splitlines()[0] if str(error) else \
            type(error).__name__
    return 'not a decodable image' if image is None else None


def input_images(inputs: Sequence[str]) -> InputImages:
    """Sorts image files and folders (searched recursively) into images,
    files that are not images and images that do not decode."""
    files = []
    for source in inputs:
        if osp.isdir(source):
            files += [osp.join(source, name)
                      for name in sorted(scandir(source, recursive=True))]
        else:
            files.append(source)
    images, not_images, unreadable = [], [], []
    for path in files:
        if not path.lower().endswith(IMAGE_SUFFIXES):
            not_images.append(path)
            continue
        problem = _decode_problem(path)
        if problem is None:
            images.append(path)
        else:
            unreadable.append((path, problem))
    return InputImages(images, not_images, unreadable)


def save_prediction(prediction: Prediction, out_dir: str, stem: str,
                    record_suffix: str):
    """Writes ``prediction``'s drawing to ``out_dir/vis/<stem>.png`` and its
    record to ``out_dir/pred/<stem><record_suffix>``."""
    vis_dir, pred_dir = osp.join(out_dir, 'vis'), osp.join(out_dir, 'pred')
    for folder in (vis_dir, pred_dir):
        os.makedirs(folder, exist_ok=True)
    mmcv.imwrite(prediction.drawn[..., ::-1], osp.join(vis_dir, stem + '.png'))
    record_file = osp.join(pred_dir, stem + record_suffix)
    if record_suffix == '.png':
        mmcv.imwrite(prediction.record, record_file)
    else:
        with open(record_file, 'w') as f:
            json.dump(prediction.record, f)


def infer(config: str, inputs: Sequence[str],
          settings: InferenceSettings) -> InputImages:
    """Draws the predictions of ``config``'s model with the weights of
    ``settings.checkpoint`` on ``inputs`` (image files or folders) into
    ``settings.out_dir/vis``. Files that are not images and images that do
    not decode are left out; what was drawn and left out is returned.

    Raises:
        ConfigCheckError: An input does not exist, or none is an image that
            decodes.
    """
    for path in [config, *inputs]:
        if not osp.exists(path):
            raise ConfigCheckError(f'{path} does not exist')
    checked_task(config, settings)
    found = input_images(inputs)
    if not found.images:
        raise ConfigCheckError(
            f'no image to draw on in {", ".join(inputs)} '
            f'({len(found.not_images)} files that are not images, '
            f'{len(found.unreadable)} images that do not decode)')
    quiet_current_logger()
    predictor = build_predictor(config, settings)
    for path in tracked(found.images, 'drawing',
                        label=lambda path: osp.basename(path)):
        name = osp.basename(path)
        save_prediction(predictor(mmcv.imread(path), name), settings.out_dir,
                        osp.splitext(name)[0], predictor.record_suffix)
    return found
