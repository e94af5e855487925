"""A COCO keypoints dataset with its own keypoint set, surveyed before a
config is written for it, and the MMPose dataset meta written from it."""
import os.path as osp
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from mmmoga.errors import DatasetLayoutError
from mmmoga.utils import tracked

from .common import (
    check_box_and_image,
    coco_categories,
    distinct_colours,
    read_json,
    require_folder,
)

# The OKS sigma of every keypoint when none are given: COCO's 17 person
# keypoints range from 0.025 (eyes) to 0.107 (hips); 0.05 sits in the lower
# part, so a keypoint counts as found within a few percent of the object's
# size.
DEFAULT_SIGMA = 0.05


@dataclass(frozen=True)
class KeypointSplit:
    """One split of a COCO keypoints dataset.

    Attributes:
        keypoints: The keypoint names of the (only) category.
        skeleton: Links as pairs of 0-based keypoint indices (the JSON's
            are 1-based, as COCO's).
        num_images: Images listed.
        num_instances: Annotated objects with at least one labelled
            keypoint.
        labelled: Keypoint name -> objects where it is labelled.
    """
    keypoints: Tuple[str, ...]
    skeleton: Tuple[Tuple[int, int], ...]
    num_images: int
    num_instances: int
    labelled: Dict[str, int]


def _category(content, ann_file: str, option: str) -> dict:
    categories = coco_categories(
        content, ann_file, option, 'a COCO keypoints file names its '
        'keypoints there, e.g. "categories": [{"id": 1, "name": "hand", '
        '"keypoints": ["wrist", ...], "skeleton": [[1, 2], ...]}]')
    if len(categories) != 1:
        raise DatasetLayoutError(
            f'{ann_file} has {len(categories)} categories: a top-down pose '
            'dataset has one kind of object with one keypoint set')
    category = categories[0]
    names = category.get('keypoints') if isinstance(category, dict) else None
    if not names or not all(isinstance(n, str) for n in names):
        raise DatasetLayoutError(
            f'{ann_file}: categories[0] has no "keypoints" list of names')
    if len(set(names)) != len(names):
        raise DatasetLayoutError(
            f'{ann_file}: categories[0] names a keypoint twice')
    return category


def survey_coco_keypoints(ann_file: str, img_dir: str, ann_option: str,
                          img_option: str) -> KeypointSplit:
    """Reads ``ann_file`` and checks it: one category with its keypoint
    names and skeleton, every image in ``img_dir``, and ``3 x K`` keypoint
    values in every object."""
    content = read_json(ann_file, ann_option)
    require_folder(img_dir, img_option)
    category = _category(content, ann_file, ann_option)
    names = tuple(category['keypoints'])
    skeleton = []
    for link in category.get('skeleton') or []:
        if not (isinstance(link, (list, tuple)) and len(link) == 2 and all(
                isinstance(i, int) and 1 <= i <= len(names) for i in link)):
            raise DatasetLayoutError(
                f'{ann_file}: the skeleton link {link!r} is not two '
                f'keypoint numbers from 1 to {len(names)}')
        skeleton.append((link[0] - 1, link[1] - 1))
    images = content.get('images')
    if not isinstance(images, list) or not images:
        raise DatasetLayoutError(f'{ann_file} ({ann_option}) has no '
                                 '"images" list')
    image_ids = set()
    for index, image in enumerate(
            tracked(images, f'finding the images of {ann_file}')):
        if not isinstance(image, dict) or 'id' not in image or \
                not isinstance(image.get('file_name'), str):
            raise DatasetLayoutError(
                f'{ann_file}: images[{index}] has no "id" or "file_name"')
        image_ids.add(image['id'])
        path = osp.join(img_dir, image['file_name'])
        if not osp.isfile(path):
            raise DatasetLayoutError(
                f'{path}, an image of {ann_file}, does not exist '
                f'({img_option})')
    labelled = {name: 0 for name in names}
    num_instances = 0
    for index, annotation in enumerate(content.get('annotations') or []):
        values = annotation.get('keypoints')
        if not isinstance(values, list) or len(values) != 3 * len(names):
            count = len(values) if isinstance(values, list) else 0
            raise DatasetLayoutError(
                f'{ann_file}: annotations[{index}] has {count} keypoint '
                f'values, not 3 x {len(names)} (x, y, v for each keypoint '
                'of categories[0])')
        check_box_and_image(annotation, index, ann_file, image_ids)
        visible = [name for name, v in zip(names, values[2::3]) if v > 0]
        num_instances += bool(visible)
        for name in visible:
            labelled[name] += 1
    if not num_instances:
        raise DatasetLayoutError(
            f'{ann_file} ({ann_option}) has no object with a labelled '
            'keypoint')
    return KeypointSplit(names, tuple(skeleton), len(images), num_instances,
                         labelled)


# A name's side, as a word of it: "left_eye", "eye-left", "LeftHand".
SIDE = re.compile(r'(?i:(?<![a-z])(?:left|right)(?![a-z]))|Left|Right')


def mirrored_pairs(names: Sequence[str]) -> List[Tuple[str, str]]:
    """Pairs of keypoint names that differ only in ``left`` / ``right``
    (as a word or a capitalised part), e.g. ``left_eye`` and
    ``right_eye``."""
    def mirror(name: str) -> Optional[str]:
        match = SIDE.search(name)
        if match is None:
            return None
        side = match.group(0)
        other = {'left': 'right', 'right': 'left'}[side.lower()]
        other = other.capitalize() if side[0].isupper() else other
        other = other.upper() if side.isupper() and len(side) > 1 else other
        return name[:match.start()] + other + name[match.end():]

    pairs = []
    for name in names:
        partner = mirror(name)
        if partner in names and (partner, name) not in pairs:
            pairs.append((name, partner))
    return pairs


def parse_flip_pairs(text: str, names: Sequence[str]) -> List[Tuple[str,
                                                                   str]]:
    """``a:b,c:d`` (keypoint names or 0-based indices) as name pairs."""
    pairs = []
    for item in filter(None, (i.strip() for i in text.split(','))):
        parts = [p.strip() for p in item.split(':')]
        if len(parts) != 2:
            raise DatasetLayoutError(
                f'--flip-pairs {item!r}: expected two keypoints as '
                'NAME:NAME (or INDEX:INDEX)')
        pair = []
        for part in parts:
            if part.isdigit() and int(part) < len(names):
                pair.append(names[int(part)])
            elif part in names:
                pair.append(part)
            else:
                raise DatasetLayoutError(
                    f'--flip-pairs: {part!r} is not a keypoint of the '
                    f'dataset ({", ".join(names)})')
        pairs.append(tuple(pair))
    used = [name for pair in pairs for name in pair]
    if len(set(used)) != len(used):
        raise DatasetLayoutError('--flip-pairs names a keypoint twice')
    return pairs


def pose_dataset_meta(name: str, keypoints: Sequence[str],
                      skeleton: Sequence[Tuple[int, int]],
                      flip_pairs: Sequence[Tuple[str, str]],
                      sigmas: Sequence[float]) -> Dict:
    """MMPose's dataset meta (as its ``configs/_base_/datasets/*.py``
    files hold) for a keypoint set. Every keypoint gets the type '' (not
    upper or lower body): MMPose's half-body augmentation then leaves the
    objects whole, as it should for a set that is not a human body."""
    swap = {a: b for a, b in flip_pairs}
    swap.update({b: a for a, b in flip_pairs})
    colours = distinct_colours(len(keypoints))
    keypoint_info = {
        index: dict(name=keypoint, id=index, color=colours[index], type='',
                    swap=swap.get(keypoint, ''))
        for index, keypoint in enumerate(keypoints)}
    link_colours = distinct_colours(len(skeleton))
    skeleton_info = {
        index: dict(link=(keypoints[a], keypoints[b]), id=index,
                    color=link_colours[index])
        for index, (a, b) in enumerate(skeleton)}
    return dict(dataset_name=name, keypoint_info=keypoint_info,
                skeleton_info=skeleton_info,
                joint_weights=[1.] * len(keypoints), sigmas=list(sigmas))
