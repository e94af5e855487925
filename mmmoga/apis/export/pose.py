"""The top-down pose model's graph: heatmaps (with flip test) decoded into
keypoints inside the graph, as MMPose's MSRAHeatmap codec decodes them."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from mmmoga.errors import ConfigCheckError

from ..run.config import test_dataset_meta
from ..run.reparameterization import relative_difference


def decode_heatmaps(heatmaps: torch.Tensor,
                    scale: Tuple[float, float]) -> Tuple[torch.Tensor,
                                                         torch.Tensor]:
    """MMPose's MSRAHeatmap decoding (``unbiased=False``) in tensor
    operations that export: each heatmap's maximum, a quarter pixel towards
    the higher neighbour on each axis (under the same border conditions as
    mmpose's ``refine_keypoints``), times ``scale`` (input / heatmap size,
    x then y). A maximum of 0 or less gives the keypoint (-1, -1) x scale,
    as mmpose does."""
    _, _, height, width = heatmaps.shape
    flat = heatmaps.flatten(2)
    scores, index = flat.max(dim=2)
    x, y = index % width, torch.div(index, width, rounding_mode='floor')

    def at(row, column):
        return flat.gather(2, (row.clamp(0, height - 1) * width +
                               column.clamp(0, width - 1)).unsqueeze(2))[
                                   ..., 0]

    found = scores > 0
    zero = torch.zeros_like(scores)
    dx = torch.where(found & (x > 1) & (x < width - 1) & (y > 0),
                     at(y, x + 1) - at(y, x - 1), zero)
    dy = torch.where(found & (y > 1) & (y < height - 1) & (x > 0),
                     at(y + 1, x) - at(y - 1, x), zero)
    missing = torch.full_like(scores, -1.)
    keypoints = torch.stack([
        torch.where(found, x.to(scores), missing) + 0.25 * dx.sign(),
        torch.where(found, y.to(scores), missing) + 0.25 * dy.sign()
    ], dim=-1)
    return keypoints * keypoints.new_tensor(scale), scores


class PoseKeypoints(nn.Module):
    """An MMPose top-down heatmap model as ``person crops -> keypoints (in
    the crop's pixels), keypoint scores``: the heatmaps (with the config's
    flip test: the mirrored crop's heatmaps flipped back, the left and right
    keypoints swapped, shifted a pixel as ``shift_heatmap`` says, and
    averaged in), decoded in the graph (:func:`decode_heatmaps`)."""

    output_names = ('keypoints', 'keypoint_scores', 'heatmaps')

    def __init__(self, model: nn.Module, flip_indices: Optional[List[int]],
                 shift_heatmap: bool, scale: Tuple[float, float]):
        super().__init__()
        self.model = model
        self.flip_test = flip_indices is not None
        self.register_buffer('flip_indices', torch.tensor(flip_indices or []))
        self.shift_heatmap = shift_heatmap
        self.scale = scale

    def heatmaps(self, image: torch.Tensor) -> torch.Tensor:
        heatmaps = self.model.head(self.model.extract_feat(image))
        if self.flip_test:
            flipped = self.model.head(self.model.extract_feat(
                image.flip(-1))).flip(-1).index_select(1, self.flip_indices)
            if self.shift_heatmap:
                flipped = torch.cat([flipped[..., :1], flipped[..., :-1]],
                                    dim=-1)
            heatmaps = (heatmaps + flipped) * 0.5
        return heatmaps

    def forward(self, image: torch.Tensor):
        heatmaps = self.heatmaps(image)
        keypoints, scores = decode_heatmaps(heatmaps, self.scale)
        return keypoints, scores, heatmaps

    def difference(self, expected: Sequence[torch.Tensor],
                   outputs: Sequence[np.ndarray]) -> float:
        """How far the graph's ``outputs`` are from PyTorch's: the heatmaps
        and scores relative to their largest value; the keypoints must be
        the graph's heatmaps decoded (compared with PyTorch's keypoints, a
        near-tie between two maxima could move one by a heatmap pixel)."""
        keypoints, _, heatmaps = (torch.from_numpy(np.asarray(o))
                                  for o in outputs)
        decoded, _ = decode_heatmaps(heatmaps, self.scale)
        if not torch.allclose(decoded, keypoints, atol=1e-3):
            return float('inf')
        return relative_difference(list(outputs[1:]), list(expected[1:]))


def pose_keypoints(cfg: Config, model: nn.Module) -> PoseKeypoints:
    """The :class:`PoseKeypoints` of a top-down heatmap config, or an error
    naming what it cannot export."""
    decoder = model.head.decoder
    if type(decoder).__name__ != 'MSRAHeatmap' or decoder.unbiased:
        raise ConfigCheckError(
            f'{cfg.filename}: the graph decodes MSRAHeatmap heatmaps '
            '(unbiased=False), the codec of the MogaNet pose configs; this '
            f'model decodes with {type(decoder).__name__}')
    test_cfg = model.test_cfg or {}
    flip_indices = None
    if test_cfg.get('flip_test', False):
        if test_cfg.get('flip_mode', 'heatmap') != 'heatmap':
            raise ConfigCheckError(
                f'{cfg.filename}: the graph flips heatmaps (flip_mode '
                f'\'heatmap\'), not {test_cfg["flip_mode"]!r}')
        flip_indices = list(test_dataset_meta(cfg)['flip_indices'])
    scale = tuple(float(s) for s in decoder.scale_factor)
    return PoseKeypoints(model, flip_indices,
                         test_cfg.get('shift_heatmap', False), scale).eval()
