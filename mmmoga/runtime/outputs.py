"""An exported model's outputs as the task library's predictions: the data
samples its evaluators and visualizers read, in original image coordinates,
computed as each library's PyTorch model computes them after its network.
Each function takes the graph's outputs by name, the batch's data samples
and the ``OnnxModel`` (for its settings) and fills the data samples.
"""
from typing import Callable, Dict, List

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData, PixelData

from mmmoga.errors import ConversionError


def classification(outputs: Dict[str, np.ndarray], data_samples: List,
                   model) -> List:
    """MMPretrain's head: softmax scores and the top class."""
    scores = F.softmax(torch.from_numpy(outputs['logits']), dim=1)
    for data_sample, score in zip(data_samples, scores):
        data_sample.set_pred_score(score).set_pred_label(
            score.argmax(dim=0, keepdim=True))
    return data_samples


def segmentation(outputs: Dict[str, np.ndarray], data_samples: List,
                 model) -> List:
    """MMSegmentation's EncoderDecoder.postprocess_result for whole-image
    logits: the padding cut off, a flipped input flipped back, the logits
    resized to the original image, the top class per pixel."""
    logits = torch.from_numpy(outputs['seg_logits'])
    if logits.shape[1] == 1:
        # mmseg thresholds one channel at its decode head's threshold,
        # which the graph does not carry.
        raise ConversionError(
            'a segmentation graph with one output channel (binary, '
            'thresholded) is not evaluated through ONNX yet')
    height, width = logits.shape[2:]
    for index, data_sample in enumerate(data_samples):
        meta = data_sample.metainfo
        left, right, top, bottom = meta.get(
            'img_padding_size', meta.get('padding_size', [0, 0, 0, 0]))
        sample = logits[index:index + 1, :, top:height - bottom,
                        left:width - right]
        if meta.get('flip'):
            dims = (3, ) if meta['flip_direction'] == 'horizontal' else (2, )
            sample = sample.flip(dims=dims)
        sample = F.interpolate(sample, size=meta['ori_shape'],
                               mode='bilinear',
                               align_corners=model.align_corners)[0]
        prediction = sample.argmax(dim=0, keepdim=True)
        data_sample.set_data(dict(seg_logits=PixelData(data=sample),
                                  pred_sem_seg=PixelData(data=prediction)))
    return data_samples


def topdown_pose(outputs: Dict[str, np.ndarray], data_samples: List,
                 model) -> List:
    """MMPose's TopdownPoseEstimator.add_pred_to_datasample: keypoints from
    the input crop's pixels to the image's, and the person's box kept."""
    keypoints, scores = outputs['keypoints'], outputs['keypoint_scores']
    for data_sample, points, point_scores in zip(data_samples, keypoints,
                                                 scores):
        meta = data_sample.metainfo
        points = points[None] / meta['input_size'] * meta['input_scale'] + \
            meta['input_center'] - 0.5 * meta['input_scale']
        gt = data_sample.gt_instances
        data_sample.pred_instances = InstanceData(
            keypoints=points.astype(np.float32),
            keypoint_scores=point_scores[None],
            keypoints_visible=point_scores[None], bboxes=gt.bboxes,
            bbox_scores=gt.bbox_scores)
    return data_samples


def detection(outputs: Dict[str, np.ndarray], data_samples: List,
              model) -> List:
    """A detector's final boxes (in the original image: the graph rescales
    them), scores and labels, of one image; a mask model's masks pasted
    into the original image and thresholded at ``model.mask_thr_binary``,
    as mmdet's ``FCNMaskHead._predict_by_feat_single`` does on the CPU
    (box by box, only the pixels near the box computed)."""
    (data_sample, ) = data_samples
    boxes = torch.from_numpy(outputs['boxes'])
    instances = InstanceData(bboxes=boxes,
                             scores=torch.from_numpy(outputs['scores']),
                             labels=torch.from_numpy(outputs['labels']))
    if 'masks' in outputs:
        from mmdet.models.roi_heads.mask_heads.fcn_mask_head import (
            _do_paste_mask,
        )
        height, width = data_sample.metainfo['ori_shape'][:2]
        probabilities = torch.from_numpy(outputs['masks'])
        masks = torch.zeros(len(boxes), height, width, dtype=torch.bool)
        for index in range(len(boxes)):
            pasted, region = _do_paste_mask(
                probabilities[index:index + 1, None], boxes[index:index + 1],
                height, width, skip_empty=True)
            masks[(slice(index, index + 1), ) + region] = \
                pasted >= model.mask_thr_binary
        instances.masks = masks
    data_sample.pred_instances = instances
    return data_samples


def detection_inputs(data_sample) -> Dict[str, np.ndarray]:
    """What a detector's graph takes beside the image: the shape of the
    resized image inside the padded input (h, w), and its rescaling from
    the original (w, h)."""
    return dict(
        image_shape=np.asarray(data_sample.metainfo['img_shape'][:2],
                               dtype=np.float32),
        scale_factor=np.asarray(data_sample.metainfo['scale_factor'],
                                dtype=np.float32))


# Graph output names -> what turns them into predictions.
TASK_OUTPUTS: Dict[tuple, Callable] = {
    ('logits', ): classification,
    ('seg_logits', ): segmentation,
    ('keypoints', 'keypoint_scores', 'heatmaps'): topdown_pose,
    ('boxes', 'scores', 'labels'): detection,
    ('boxes', 'scores', 'labels', 'masks'): detection,
}
# Graphs that run one image at a time, with these inputs beside it.
PER_IMAGE_INPUTS: Dict[Callable, Callable] = {detection: detection_inputs}
