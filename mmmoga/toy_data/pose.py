"""Writes a toy COCO person-keypoints dataset: articulated limb figures.

Each image holds a few front-facing figures with COCO's 17 keypoints (face,
shoulders, elbows, wrists, hips, knees, ankles) in varied poses, sizes,
tilts, colours and positions over the cluttered backgrounds of the other toy
sets. Later figures and random boxes occlude earlier figures (those joints
are labelled but not visible, v=1); joints outside the image are unlabelled
(v=0, as COCO writes them).

Left and right must be told apart by what they look like, not by where
they are, or a flipped training image would contradict its labels: the
person's left limbs carry a light core line and its left eye and ear are
light dots, the right ones dark.
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Tuple

import cv2
import numpy as np

from .coco import mask_annotation, write_coco_images
from .scenes import add_clutter, background, hsv_to_bgr, vivid_colour

# COCO's keypoints, skeleton (1-based index pairs, as in the COCO json) and
# left/right pairs, in the order of MMPose's `_base_/datasets/coco.py`.
COCO_KEYPOINTS = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
                  'left_shoulder', 'right_shoulder', 'left_elbow',
                  'right_elbow', 'left_wrist', 'right_wrist', 'left_hip',
                  'right_hip', 'left_knee', 'right_knee', 'left_ankle',
                  'right_ankle')
COCO_SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12],
                 [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11], [2, 3],
                 [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]]
COCO_FLIP_PAIRS = [(1, 2), (3, 4), (5, 6), (7, 8), (9, 10), (11, 12),
                   (13, 14), (15, 16)]
_K = {name: i for i, name in enumerate(COCO_KEYPOINTS)}
# Limb segments (0-based) and the side whose marker they carry.
_LIMBS = [(side, f'{side}_{a}', f'{side}_{b}') for side in ('left', 'right')
          for a, b in (('shoulder', 'elbow'), ('elbow', 'wrist'),
                       ('hip', 'knee'), ('knee', 'ankle'))]
_MARKERS = {'left': (235., 235., 235.), 'right': (20., 20., 20.)}
# Seeds of the per-image generators: (dataset, split); distinct from those
# of the detection and segmentation sets.
SPLIT_SEEDS = {'train': (2, 0), 'val': (2, 1)}
_SUBPIXEL = 4  # OpenCV's `shift`: coordinates drawn to 1/16 pixel


@dataclass(frozen=True)
class PoseSceneConfig:
    """What the toy pose images look like.

    Attributes:
        width_range, height_range: Image sizes, inclusive, in pixels.
        num_figures: Figures per image, inclusive range.
        height_range_px: Figure heights (head to feet when upright).
        max_tilt: In-plane tilt of a whole figure, in degrees.
        min_visible: Fraction of a figure's silhouette and of its labelled
            keypoints that must stay visible once later figures cover it.
        min_keypoints: Keypoints of a figure that must lie in the image.
        num_clutter: Distractors (lines, dots, blobs) per image.
        num_occluders: Boxes painted over the figures per image.
    """
    width_range: Tuple[int, int] = (192, 256)
    height_range: Tuple[int, int] = (176, 240)
    num_figures: Tuple[int, int] = (1, 3)
    height_range_px: Tuple[float, float] = (90., 160.)
    max_tilt: float = 25.
    min_visible: float = 0.75
    min_keypoints: int = 10
    num_clutter: Tuple[int, int] = (4, 10)
    num_occluders: Tuple[int, int] = (0, 2)


@dataclass
class ToyFigure:
    keypoints: np.ndarray  # (17, 2) float, image coordinates
    visibility: np.ndarray  # (17,) int: 0 unlabelled, 1 hidden, 2 visible
    mask: np.ndarray  # (H, W) bool, the visible part of the silhouette


def _unit(angle):
    return np.array([np.cos(angle), np.sin(angle)])


def _limb(rng, start, direction, lengths, bend_range):
    """Middle and end joint of a two-segment limb from ``start``: the first
    segment along ``direction``, the second bent from it to either side by
    an angle drawn from ``bend_range`` (degrees)."""
    middle = start + lengths[0] * direction
    bend = np.deg2rad(rng.uniform(*bend_range)) * rng.choice([-1, 1])
    rotation = np.array([[np.cos(bend), -np.sin(bend)],
                         [np.sin(bend), np.cos(bend)]])
    return middle, middle + (lengths[1] * rotation) @ direction


def figure_keypoints(rng: np.random.Generator, hip_centre, height,
                     max_tilt) -> np.ndarray:
    """The 17 keypoints of a front-facing figure in a random pose: the
    person's left is on the image's right when the figure stands upright."""
    tilt = np.deg2rad(rng.uniform(-max_tilt, max_tilt))
    up = _unit(tilt - np.pi / 2)  # image y grows downwards
    lean = np.deg2rad(rng.uniform(-12, 12))
    torso_up = _unit(tilt + lean - np.pi / 2)
    torso_side = np.array([-torso_up[1], torso_up[0]])  # towards the left
    side = np.array([-up[1], up[0]])
    points = np.zeros((len(COCO_KEYPOINTS), 2))
    hip = np.asarray(hip_centre, float)
    neck = hip + 0.3 * height * torso_up
    head_up = _unit(tilt + lean + np.deg2rad(rng.uniform(-15, 15)) -
                    np.pi / 2)
    head_side = np.array([-head_up[1], head_up[0]])
    head = neck + 0.13 * height * head_up
    points[_K['nose']] = head - 0.02 * height * head_up
    for name, sign in (('left', 1), ('right', -1)):
        points[_K[f'{name}_eye']] = (head + 0.025 * height * head_up +
                                     sign * 0.032 * height * head_side)
        points[_K[f'{name}_ear']] = (head + 0.005 * height * head_up +
                                     sign * 0.07 * height * head_side)
        shoulder = neck + sign * 0.12 * height * torso_side
        # Arm: from hanging (0) through raised sideways to overhead (180).
        raise_angle = np.deg2rad(rng.uniform(-25, 170))
        upper_arm = (np.cos(raise_angle) * -torso_up +
                     np.sin(raise_angle) * sign * torso_side)
        elbow, wrist = _limb(rng, shoulder, upper_arm,
                             (0.16 * height, 0.14 * height), (-30, 140))
        points[_K[f'{name}_shoulder']] = shoulder
        points[_K[f'{name}_elbow']] = elbow
        points[_K[f'{name}_wrist']] = wrist
        hip_joint = hip + sign * 0.09 * height * side
        spread = np.deg2rad(rng.uniform(-15, 55))
        thigh = np.cos(spread) * -up + np.sin(spread) * sign * side
        knee, ankle = _limb(rng, hip_joint, thigh,
                            (0.23 * height, 0.23 * height), (0, 90))
        points[_K[f'{name}_hip']] = hip_joint
        points[_K[f'{name}_knee']] = knee
        points[_K[f'{name}_ankle']] = ankle
    return points


def _fixed(point):
    return tuple(int(round(v * (1 << _SUBPIXEL))) for v in point)


def _draw_figure(image, silhouette, points, height, colour):
    """Paints the figure into ``image`` and its silhouette (all of it, the
    markers included) into ``silhouette``."""
    arm, leg = max(2, round(0.08 * height)), max(3, round(0.1 * height))
    # Hands and feet: knobs wider than the limbs mark where they end.
    hand = round(0.055 * height * (1 << _SUBPIXEL))
    torso = np.stack([points[_K[n]] for n in (
        'left_shoulder', 'right_shoulder', 'right_hip', 'left_hip')])
    head = (points[_K['left_ear']] + points[_K['right_ear']]) / 2
    head_radius = round(0.09 * height * (1 << _SUBPIXEL))
    core = max(1, round(0.018 * height))
    for canvas, paint in ((image, colour), (silhouette, 1)):
        cv2.fillPoly(canvas, [np.array([_fixed(p) for p in torso])], paint,
                     cv2.LINE_AA, _SUBPIXEL)
        cv2.circle(canvas, _fixed(head), head_radius, paint, -1, cv2.LINE_AA,
                   _SUBPIXEL)
        for _, start, end in _LIMBS:
            width = leg if start.endswith(('hip', 'knee')) else arm
            cv2.line(canvas, _fixed(points[_K[start]]),
                     _fixed(points[_K[end]]), paint, width, cv2.LINE_AA,
                     _SUBPIXEL)
        for side in ('left', 'right'):
            for end in ('wrist', 'ankle'):
                cv2.circle(canvas, _fixed(points[_K[f'{side}_{end}']]), hand,
                           paint, -1, cv2.LINE_AA, _SUBPIXEL)
    for side, start, end in _LIMBS:
        cv2.line(image, _fixed(points[_K[start]]), _fixed(points[_K[end]]),
                 _MARKERS[side], core, cv2.LINE_AA, _SUBPIXEL)
    dot = round(0.018 * height * (1 << _SUBPIXEL)) + 8
    for side in ('left', 'right'):
        for part in ('eye', 'ear'):
            cv2.circle(image, _fixed(points[_K[f'{side}_{part}']]), dot,
                       _MARKERS[side], -1, cv2.LINE_AA, _SUBPIXEL)
    nose_colour = hsv_to_bgr(0., 0.9, 0.9).tolist()  # red, whatever the body
    cv2.circle(image, _fixed(points[_K['nose']]), dot, nose_colour, -1,
               cv2.LINE_AA, _SUBPIXEL)


def _inside(points, width, height):
    return ((points[:, 0] >= 0) & (points[:, 0] <= width - 1) &
            (points[:, 1] >= 0) & (points[:, 1] <= height - 1))


def _covered(mask, points, inside):
    """Whether each keypoint (in the image) lies on ``mask``."""
    covered = np.zeros(len(points), bool)
    pixels = np.round(points[inside]).astype(int)
    covered[inside] = mask[pixels[:, 1], pixels[:, 0]]
    return covered


def make_pose_scene(rng: np.random.Generator,
                    config: PoseSceneConfig = PoseSceneConfig()
                    ) -> Tuple[np.ndarray, List[ToyFigure]]:
    """One image (BGR uint8) and its figures; the same generator state gives
    the same scene."""
    width = int(rng.integers(config.width_range[0],
                             config.width_range[1] + 1))
    height = int(rng.integers(config.height_range[0],
                              config.height_range[1] + 1))
    image = background(rng, height, width)
    add_clutter(rng, image, int(rng.integers(config.num_clutter[0],
                                             config.num_clutter[1] + 1)))
    wanted = int(rng.integers(config.num_figures[0],
                              config.num_figures[1] + 1))
    figures: List[ToyFigure] = []
    for _ in range(wanted * 20):  # placement attempts
        if len(figures) == wanted:
            break
        size = rng.uniform(*config.height_range_px)
        hip = (rng.uniform(-0.1, 1.1) * width,
               rng.uniform(0.1, 1.0) * height)
        points = figure_keypoints(rng, hip, size, config.max_tilt)
        inside = _inside(points, width, height)
        if inside.sum() < config.min_keypoints:
            continue
        silhouette = np.zeros((height, width), np.uint8)
        drawn = image.copy()
        _draw_figure(drawn, silhouette, points, size,
                     vivid_colour(rng).tolist())
        mask = silhouette.astype(bool)
        covered_by_new = [_covered(mask, f.keypoints, f.visibility == 2)
                          for f in figures]
        # Every earlier figure keeps enough of itself and its joints.
        if any((f.mask & ~mask).sum() < config.min_visible * f.mask.sum() or
               ((f.visibility == 2) & ~hidden).sum() <
               config.min_visible * (f.visibility > 0).sum()
               for f, hidden in zip(figures, covered_by_new)):
            continue
        for figure, hidden in zip(figures, covered_by_new):
            figure.mask &= ~mask
            figure.visibility[hidden] = 1
        image = drawn
        figures.append(ToyFigure(points, np.where(inside, 2, 0), mask))
    for _ in range(int(rng.integers(config.num_occluders[0],
                                    config.num_occluders[1] + 1))):
        box = np.zeros((height, width), np.uint8)
        centre = (rng.uniform(0, width), rng.uniform(0, height))
        extent = (rng.uniform(10, 40), rng.uniform(10, 40))
        corners = cv2.boxPoints((centre, extent, rng.uniform(0, 90)))
        cv2.fillPoly(box, [np.round(corners).astype(np.int32)], 1)
        box = box.astype(bool)
        image[box] = hsv_to_bgr(rng.random(), rng.uniform(0, 0.5),
                                rng.uniform(0.3, 0.9))
        for figure in figures:
            figure.visibility[_covered(box, figure.keypoints,
                                       figure.visibility == 2)] = 1
            figure.mask &= ~box
    return np.clip(image, 0, 255).astype(np.uint8), figures


def figure_annotation(figure: ToyFigure) -> Dict:
    """COCO person annotation: box, area and polygons of the visible
    silhouette; keypoints as (x, y, v) with unlabelled ones at (0, 0)."""
    keypoints = np.concatenate(
        [np.where(figure.visibility[:, None] > 0, figure.keypoints, 0.),
         figure.visibility[:, None]], 1)
    return dict(
        category_id=1,
        keypoints=[round(float(v), 2) for v in keypoints.reshape(-1)],
        num_keypoints=int((figure.visibility > 0).sum()),
        **mask_annotation(figure.mask))


def write_pose_split(out_dir: str, split: str, num_images: int, seed: int,
                     config: PoseSceneConfig = PoseSceneConfig()) -> str:
    """Writes ``out_dir/{split}/*.jpg`` and
    ``out_dir/annotations/person_keypoints_{split}.json``; returns the json
    path."""

    def draw(rng):
        image, figures = make_pose_scene(rng, config)
        return image, [figure_annotation(figure) for figure in figures
                       if figure.mask.any()]

    categories = [dict(id=1, name='person', supercategory='person',
                       keypoints=list(COCO_KEYPOINTS),
                       skeleton=COCO_SKELETON,
                       flip_pairs=[list(p) for p in COCO_FLIP_PAIRS])]
    return write_coco_images(
        osp.join(out_dir, split),
        osp.join(out_dir, 'annotations', f'person_keypoints_{split}.json'),
        num_images, seed, SPLIT_SEEDS[split], draw, categories,
        'mmmoga toy limb figures')


def write_toy_coco_pose(out_dir: str, num_train: int = 400,
                        num_val: int = 80, seed: int = 0) -> Dict[str, str]:
    """The toy pose dataset: train and val splits in COCO's layout."""
    return {split: write_pose_split(out_dir, split, count, seed)
            for split, count in (('train', num_train), ('val', num_val))}
