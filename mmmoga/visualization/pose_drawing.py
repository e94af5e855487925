"""Top-down pose predictions for whole images, drawn and saved as JSON:
what tools/infer.py does for pose configs and `make demo-pose` does with the
val images.

MMPose 1.3's MMPoseInferencer is not used: without a detector it ignores
the boxes it is given (``Pose2DInferencer.preprocess_single`` resets
``bboxes``) and estimates one pose on the whole image. MMPose's
``inference_topdown`` takes the boxes, and its visualizer draws all the
people of an image at once.
"""
import json
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, Iterable, List, Optional, Union

import numpy as np
from mmengine.config import Config

from mmmoga.errors import ConfigCheckError
from mmmoga.utils import tracked


def load_person_boxes(ann_file: str) -> Dict[str, np.ndarray]:
    """Image file name -> (N, 4) xyxy person boxes, from a COCO-layout
    annotation file (``images`` and ``annotations`` with ``bbox`` in
    x, y, w, h); crowd annotations are left out, as in evaluation."""
    try:
        with open(ann_file) as f:
            coco = json.load(f)
        names = {image['id']: osp.basename(image['file_name'])
                 for image in coco['images']}
        boxes = defaultdict(list)
        for ann in coco['annotations']:
            if ann.get('iscrowd', 0):
                continue
            x, y, w, h = ann['bbox']
            boxes[names[ann['image_id']]].append([x, y, x + w, y + h])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigCheckError(
            f'{ann_file} is not a COCO annotation file with images and '
            f'annotations[].bbox: {type(error).__name__}: {error}') from None
    return {name: np.array(b, np.float32).reshape(-1, 4)
            for name, b in boxes.items()}


def people_json(pred_instances) -> List[dict]:
    """One dict per person: ``keypoints`` ([x, y] each), ``keypoint_scores``,
    ``bbox`` (x1, y1, x2, y2) and ``bbox_score``. (MMPose's
    ``split_instances`` nests the box in a tuple and leaves the box score a
    NumPy scalar, which JSON cannot hold.)"""
    people = []
    for i in range(len(pred_instances)):
        person = dict(
            keypoints=np.asarray(pred_instances.keypoints[i]).tolist(),
            keypoint_scores=np.asarray(
                pred_instances.keypoint_scores[i]).tolist())
        if 'bboxes' in pred_instances:
            person['bbox'] = np.asarray(pred_instances.bboxes[i]).tolist()
        if 'bbox_scores' in pred_instances:
            person['bbox_score'] = float(pred_instances.bbox_scores[i])
        people.append(person)
    return people


def _exported_model(config: Config):
    """The config's model when it is an exported one (an ``OnnxModel``,
    which holds its weights), with the dataset meta mmpose's ``init_model``
    would give it. Built here because ``init_model`` hands the model a
    ``train_cfg`` and reads a backbone, neither of which it has."""
    from mmengine.registry import init_default_scope
    from mmpose.apis.inference import dataset_meta_from_config
    from mmpose.registry import MODELS
    init_default_scope(config.get('default_scope', 'mmpose'))
    model = MODELS.build(config.model)
    model.cfg = config
    model.dataset_meta = dataset_meta_from_config(config,
                                                  dataset_mode='train')
    return model.eval()


class PoseDrawer:
    """A top-down pose model that draws the people of an image.

    Args:
        config: Model config (file or loaded).
        checkpoint: Weights (None: the config's model holds its own, as
            an exported model does).
        device: e.g. ``'cpu'``, ``'cuda:0'``.
    """

    def __init__(self,
                 config: Union[str, Config],
                 checkpoint: Optional[str],
                 device: str = 'cpu'):
        from mmpose.apis import init_model
        from mmpose.registry import VISUALIZERS
        if checkpoint is None:
            self.model = _exported_model(config)
        else:
            self.model = init_model(config, checkpoint, device=device)
        if self.model.cfg.get('data_mode', 'topdown') != 'topdown':
            raise ConfigCheckError(
                f'{self.model.cfg.filename} is a {self.model.cfg.data_mode} '
                'model; the pose drawing serves top-down models')
        from . import use_readable_visualizer
        use_readable_visualizer(self.model.cfg)
        self.visualizer = VISUALIZERS.build(self.model.cfg.visualizer)
        self.visualizer.set_dataset_meta(self.model.dataset_meta)

    def estimate(self, image: Union[str, np.ndarray],
                 boxes: Optional[np.ndarray] = None):
        """The people's poses in ``image`` (a file, or BGR pixels), one per
        xyxy box of ``boxes`` (None or empty: the whole image is one box; a
        fifth column holds the boxes' scores), merged into one
        ``PoseDataSample``."""
        from mmpose.apis import inference_topdown
        from mmpose.structures import merge_data_samples
        scores = None
        if boxes is not None and len(boxes) and boxes.shape[1] == 5:
            boxes, scores = boxes[:, :4], boxes[:, 4]
        merged = merge_data_samples(
            inference_topdown(self.model, image, boxes))
        if scores is not None:
            # inference_topdown gives every box the score 1.
            merged.pred_instances.bbox_scores = scores.astype(np.float32)
        return merged

    def drawn(self, image: np.ndarray, sample, kpt_thr: float = 0.3,
              out_file: Optional[str] = None) -> np.ndarray:
        """The RGB ``image`` with the skeletons and boxes of ``sample``."""
        self.visualizer.add_datasample(
            'image', image, data_sample=sample, draw_gt=False,
            draw_bbox=True, kpt_thr=kpt_thr, out_file=out_file)
        return self.visualizer.get_image()

    def draw(self, image_path: str, boxes: Optional[np.ndarray],
             vis_file: str, pred_file: str, kpt_thr: float = 0.3):
        """Estimates the pose in each xyxy box of ``boxes`` (None or empty:
        the whole image is one box), draws the skeletons and boxes into
        ``vis_file`` and writes keypoints, their scores and the boxes to
        ``pred_file`` (JSON, one entry per person)."""
        import mmcv
        merged = self.estimate(image_path, boxes)
        self.drawn(mmcv.imread(image_path, channel_order='rgb'), merged,
                   kpt_thr, out_file=vis_file)
        os.makedirs(osp.dirname(pred_file) or '.', exist_ok=True)
        with open(pred_file, 'w') as f:
            json.dump(people_json(merged.pred_instances), f)

    def draw_all(self, image_paths: Iterable[str], out_dir: str,
                 boxes: Optional[Dict[str, np.ndarray]] = None,
                 kpt_thr: float = 0.3) -> int:
        """Draws every image into ``out_dir/vis/<name>.png`` and its
        predictions into ``out_dir/pred/<name>.json``; the boxes of an image
        are looked up by file name in ``boxes``. Returns the number of
        images."""
        count = 0
        image_paths = list(image_paths)
        for path in tracked(image_paths, 'drawing'):
            stem = osp.splitext(osp.basename(path))[0]
            image_boxes = None if boxes is None else boxes.get(
                osp.basename(path))
            self.draw(path, image_boxes, osp.join(out_dir, 'vis',
                                                  stem + '.png'),
                      osp.join(out_dir, 'pred', stem + '.json'), kpt_thr)
            count += 1
        return count
