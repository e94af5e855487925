"""Deterministic synthetic scenes: coloured shapes on cluttered backgrounds.

One scene generator serves every task: a scene is an image plus, for each
object (and, if asked for, each textured background region), its class and
its visible (occlusion-aware) mask; the task writers turn scenes into COCO
instances, segmentation maps, keypoints or class folders.
"""
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import cv2
import numpy as np

SHAPE_CLASSES = ('circle', 'square', 'triangle')
# Patterns of the background regions; a region's class is its pattern, never
# its colours, which come from the same distribution as the objects'.
TEXTURE_CLASSES = ('stripes', 'checks', 'dots')
# Object colours are vivid, background colours muted, so shapes stand out
# by colour as well as by form, as they do in natural images.
_OBJECT_SATURATION = (0.55, 1.0)
_OBJECT_VALUE = (0.6, 1.0)


@dataclass
class ToyObject:
    """One shape in a scene."""
    label: int  # index into SHAPE_CLASSES
    mask: np.ndarray  # (H, W) bool, the part of the shape left visible
    vertices: np.ndarray  # (K, 2) float, the corner points (circle: none)
    center: Tuple[float, float]
    size: float  # diameter of the circumscribed circle, in pixels


@dataclass
class ToyRegion:
    """One textured background region in a scene."""
    label: int  # index into TEXTURE_CLASSES
    mask: np.ndarray  # (H, W) bool, the part left visible by later regions
    # and by the objects


@dataclass
class ToyScene:
    image: np.ndarray  # (H, W, 3) uint8, BGR as written by OpenCV
    objects: List[ToyObject] = field(default_factory=list)
    regions: List[ToyRegion] = field(default_factory=list)


@dataclass
class SceneConfig:
    """What the scenes look like.

    Attributes:
        width_range, height_range: Image sizes, inclusive, in pixels.
        num_objects: Objects per image, inclusive range.
        size_range: Object diameters, in pixels.
        min_visible: Fraction of every object that must stay visible when
            later objects overlap it.
        num_clutter: Distractors (lines, dots, blobs) per image.
        num_regions: Textured background regions (irregular blobs filled
            with a pattern of TEXTURE_CLASSES) per image, inclusive range;
            they lie under the clutter and the objects. (0, 0) draws none
            and leaves the scenes of the other settings unchanged.
        region_radius_range: Mean radius of a region, in pixels.
        texture_period_range: Period of the region patterns, in pixels.
        texture_angles: Orientations of the patterns to choose from, in
            degrees; None: any orientation.
        upright_shapes: Squares axis-aligned and triangles pointing up
            instead of turned at random.
        object_grain: Standard deviation of the per-pixel noise in the
            objects' paint (0: smooth paint, as the detection data has).
    """
    width_range: Tuple[int, int] = (288, 384)
    height_range: Tuple[int, int] = (256, 352)
    num_objects: Tuple[int, int] = (1, 6)
    size_range: Tuple[float, float] = (28., 120.)
    min_visible: float = 0.55
    num_clutter: Tuple[int, int] = (4, 12)
    num_regions: Tuple[int, int] = (0, 0)
    region_radius_range: Tuple[float, float] = (40., 110.)
    texture_period_range: Tuple[float, float] = (7., 16.)
    texture_angles: Optional[Tuple[float, ...]] = None
    upright_shapes: bool = False
    object_grain: float = 0.


def hsv_to_bgr(hue, saturation, value):
    hsv = np.uint8([[[hue * 179, saturation * 255, value * 255]]])
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0].astype(np.float32)


def background(rng, height, width):
    """A muted two-colour gradient with sensor-like noise."""
    start, end = (hsv_to_bgr(rng.random(), rng.uniform(0, 0.35),
                              rng.uniform(0.15, 0.55)) for _ in range(2))
    angle = rng.uniform(0, 2 * np.pi)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    # Python floats: numpy 2 would compute a float32 grid times a numpy
    # float64 scalar in float64 (numpy 1 in float32), and the toy data would
    # differ between the stacks by a grey level here and there.
    ramp = xs * float(np.cos(angle)) + ys * float(np.sin(angle))
    ramp = (ramp - ramp.min()) / max(float(np.ptp(ramp)), 1.)
    image = start + ramp[..., None] * (end - start)
    return image + rng.normal(0, 6, size=image.shape).astype(np.float32)


def add_clutter(rng, image, count):
    """Thin lines, dots and soft blobs: texture that is not an object."""
    height, width = image.shape[:2]
    for _ in range(count):
        colour = hsv_to_bgr(rng.random(), rng.uniform(0, 0.6),
                             rng.uniform(0.2, 0.8)).tolist()
        kind = rng.integers(3)
        if kind == 0:
            p1 = (int(rng.integers(width)), int(rng.integers(height)))
            p2 = (int(rng.integers(width)), int(rng.integers(height)))
            cv2.line(image, p1, p2, colour, int(rng.integers(1, 3)),
                     cv2.LINE_AA)
        elif kind == 1:
            centre = (int(rng.integers(width)), int(rng.integers(height)))
            cv2.circle(image, centre, int(rng.integers(2, 5)), colour, -1,
                       cv2.LINE_AA)
        else:
            centre = (int(rng.integers(width)), int(rng.integers(height)))
            axes = (int(rng.integers(6, 16)), int(rng.integers(3, 8)))
            blob = np.zeros_like(image)
            cv2.ellipse(blob, centre, axes, float(rng.uniform(0, 180)), 0,
                        360, colour, -1, cv2.LINE_AA)
            blob = cv2.GaussianBlur(blob, (0, 0), 3)
            weight = cv2.GaussianBlur(
                (blob.sum(-1, keepdims=True) > 0).astype(np.float32), (0, 0),
                3)
            if weight.ndim == 2:
                weight = weight[..., None]
            image[:] = image * (1 - 0.6 * weight) + blob * 0.6


def _shape_vertices(rng, label, center, size, upright=False):
    radius = size / 2
    rotation = rng.uniform(0, 2 * np.pi)
    if upright:  # squares axis-aligned, triangles pointing up
        rotation = np.pi / 4 if SHAPE_CLASSES[label] == 'square' else \
            -np.pi / 2
    if SHAPE_CLASSES[label] == 'circle':
        return np.zeros((0, 2), np.float32)
    corners = 4 if SHAPE_CLASSES[label] == 'square' else 3
    angles = rotation + np.arange(corners) * 2 * np.pi / corners
    return np.stack([center[0] + radius * np.cos(angles),
                     center[1] + radius * np.sin(angles)], 1).astype(
                         np.float32)


def shape_area(label, size):
    """Area of a whole shape of diameter ``size``, inside the image or not."""
    radius = size / 2
    name = SHAPE_CLASSES[label]
    if name == 'circle':
        return np.pi * radius**2
    if name == 'square':
        return 2 * radius**2
    return 3 * np.sqrt(3) / 4 * radius**2  # equilateral triangle


def _rasterise(label, center, size, vertices, shape):
    mask = np.zeros(shape, np.uint8)
    if SHAPE_CLASSES[label] == 'circle':
        cv2.circle(mask, (int(round(center[0])), int(round(center[1]))),
                   int(round(size / 2)), 1, -1)
    else:
        cv2.fillPoly(mask, [np.round(vertices).astype(np.int32)], 1)
    return mask.astype(bool)


def vivid_colour(rng):
    return hsv_to_bgr(rng.random(), rng.uniform(*_OBJECT_SATURATION),
                       rng.uniform(*_OBJECT_VALUE))


def _paint(rng, image, mask, grain=0.):
    """Fills ``mask`` with a vivid colour, lit by a gentle gradient, with
    per-pixel noise of standard deviation ``grain``."""
    colour = vivid_colour(rng)
    ys, xs = np.nonzero(mask)
    light = rng.uniform(-0.25, 0.25, size=2)
    extent = max(np.ptp(xs), np.ptp(ys), 1)
    shade = 1 + ((xs - xs.mean()) * light[0] +
                 (ys - ys.mean()) * light[1]) / extent
    image[ys, xs] = colour * shade[:, None]
    if grain > 0:  # no draw at all otherwise: the scenes stay as they were
        image[ys, xs] += rng.normal(0, grain, size=(len(ys), 1))


def _blob_mask(rng, shape, radius):
    """An irregular star-shaped blob: a circle whose radius wobbles with a
    few random low-frequency harmonics, centred anywhere in the image."""
    height, width = shape
    centre = rng.uniform(0, width), rng.uniform(0, height)
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    radii = np.ones_like(angles)
    for harmonic in (2, 3, 5):
        radii += rng.uniform(0, 0.22) * np.cos(
            harmonic * angles + rng.uniform(0, 2 * np.pi))
    points = np.stack([centre[0] + radius * radii * np.cos(angles),
                       centre[1] + radius * radii * np.sin(angles)], 1)
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(points).astype(np.int32)], 1)
    return mask.astype(bool)


def _pattern(rng, label, shape, period_range, angles=None):
    """Where pattern ``TEXTURE_CLASSES[label]`` is 'on': (H, W) in [0, 1],
    at a random orientation and period, softened by a slight blur."""
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]].astype(np.float32)
    angle = rng.uniform(0, np.pi) if angles is None else \
        np.deg2rad(rng.choice(angles))
    # Python floats, as in background(): the same float32 on both numpy
    # majors.
    cos, sin = float(np.cos(angle)), float(np.sin(angle))
    u = xs * cos + ys * sin
    v = ys * cos - xs * sin
    period = rng.uniform(*period_range)
    name = TEXTURE_CLASSES[label]
    if name == 'stripes':
        on = np.mod(u, period) < period / 2
    elif name == 'checks':
        on = (np.floor(u / period) + np.floor(v / period)) % 2 == 0
    else:  # dots on a square grid
        du = np.mod(u, period) - period / 2
        dv = np.mod(v, period) - period / 2
        on = du**2 + dv**2 < (period * rng.uniform(0.24, 0.36))**2
    return cv2.GaussianBlur(on.astype(np.float32), (0, 0), 0.7)


def _add_regions(rng, image, config):
    """Paints textured regions over the background, each over the earlier
    ones; returns them with the masks the later regions left visible (the
    caller drops those that end up hidden)."""
    height, width = image.shape[:2]
    regions: List[ToyRegion] = []
    wanted = int(rng.integers(config.num_regions[0],
                              config.num_regions[1] + 1))
    for _ in range(wanted * 10):  # placement attempts
        if len(regions) == wanted:
            break
        mask = _blob_mask(rng, (height, width),
                          rng.uniform(*config.region_radius_range))
        if mask.sum() < 0.25 * np.pi * config.region_radius_range[0]**2:
            continue  # mostly outside the image
        label = int(rng.integers(len(TEXTURE_CLASSES)))
        pattern = _pattern(rng, label, (height, width),
                           config.texture_period_range,
                           config.texture_angles)[mask][:, None]
        # Two colours of the objects' distribution, or one and a darker
        # shade of it: colour says nothing about the class. Two colours too
        # close to each other would hide the pattern that is the class.
        colour, second = vivid_colour(rng), vivid_colour(rng)
        if rng.random() < 0.5 or np.abs(second - colour).max() < 80:
            second = colour * rng.uniform(0.3, 0.55)
        image[mask] = colour * pattern + second * (1 - pattern)
        for region in regions:
            region.mask = region.mask & ~mask
        regions.append(ToyRegion(label, mask))
    return regions


def make_scene(rng: np.random.Generator,
               config: SceneConfig = SceneConfig()) -> ToyScene:
    """Draws one scene; the same generator state gives the same scene."""
    width = int(rng.integers(config.width_range[0],
                             config.width_range[1] + 1))
    height = int(rng.integers(config.height_range[0],
                              config.height_range[1] + 1))
    image = background(rng, height, width)
    # Drawn only when asked for, so that scenes without regions consume the
    # same random numbers as before and stay identical.
    regions = (_add_regions(rng, image, config)
               if config.num_regions[1] > 0 else [])
    add_clutter(rng, image, int(rng.integers(config.num_clutter[0],
                                              config.num_clutter[1] + 1)))
    wanted = int(rng.integers(config.num_objects[0],
                              config.num_objects[1] + 1))
    objects: List[ToyObject] = []
    full_masks: List[np.ndarray] = []
    for _ in range(wanted * 20):  # placement attempts
        if len(objects) == wanted:
            break
        label = int(rng.integers(len(SHAPE_CLASSES)))
        size = float(rng.uniform(*config.size_range))
        margin = size * 0.2  # shapes may be cut by the image border a bit
        center = (float(rng.uniform(size / 2 - margin,
                                    width - size / 2 + margin)),
                  float(rng.uniform(size / 2 - margin,
                                    height - size / 2 + margin)))
        vertices = _shape_vertices(rng, label, center, size,
                                   config.upright_shapes)
        mask = _rasterise(label, center, size, vertices, (height, width))
        if mask.sum() < config.min_visible * shape_area(label, size):
            continue  # mostly outside the image
        # Keep every earlier object visible enough once this one covers it.
        if any((obj.mask & ~mask).sum() <
               config.min_visible * shape_area(obj.label, obj.size)
               for obj in objects):
            continue
        for obj in objects:
            obj.mask = obj.mask & ~mask
        objects.append(ToyObject(label, mask, vertices, center, size))
        full_masks.append(mask)
    # Painted back to front over the full shapes, so later objects occlude
    # earlier ones exactly where their visible masks were cut.
    for full_mask in full_masks:
        _paint(rng, image, full_mask, config.object_grain)
        for region in regions:
            region.mask = region.mask & ~full_mask
    regions = [region for region in regions if region.mask.any()]
    return ToyScene(np.clip(image, 0, 255).astype(np.uint8), objects,
                    regions)
