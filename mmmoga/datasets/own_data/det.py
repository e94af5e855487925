"""A COCO instances dataset (detection, instance segmentation) surveyed
before a config is written for it."""
import os.path as osp
from collections import Counter
from dataclasses import dataclass
from typing import Dict, Tuple

from mmmoga.errors import DatasetLayoutError
from mmmoga.utils import tracked

from .common import (
    check_box_and_image,
    coco_categories,
    read_json,
    require_folder,
)


@dataclass(frozen=True)
class CocoInstancesSplit:
    """One split of a COCO instances dataset.

    Attributes:
        ann_file: The annotation file.
        classes: Category names in the order of the JSON's ``categories``,
            which is the order MMDetection numbers them in (it asks
            pycocotools for the ids of the configured names, and gets them
            in file order).
        category_ids: The category id of each class, in the same order.
        num_images: Images listed.
        num_empty_images: Images with no (non-crowd) object.
        instances: Class name -> non-crowd objects.
        num_crowd: Crowd regions (ignored in training, as COCO's).
        num_without_mask: Objects without a segmentation.
    """
    ann_file: str
    classes: Tuple[str, ...]
    category_ids: Tuple[int, ...]
    num_images: int
    num_empty_images: int
    instances: Dict[str, int]
    num_crowd: int
    num_without_mask: int

    @property
    def num_objects(self) -> int:
        return sum(self.instances.values())


def _categories(content, ann_file: str, option: str):
    categories = coco_categories(
        content, ann_file, option, 'a COCO annotation file names its '
        'classes there, e.g. "categories": [{"id": 1, "name": "cat"}]')
    ids, names = [], []
    for index, category in enumerate(categories):
        if not isinstance(category, dict) or not isinstance(
                category.get('id'), int) or not isinstance(
                    category.get('name'), str):
            raise DatasetLayoutError(
                f'{ann_file}: categories[{index}] = {category!r} is not '
                'an object with an integer "id" and a string "name"')
        ids.append(category['id'])
        names.append(category['name'])
    for what, values in (('id', ids), ('name', names)):
        repeated = [v for v, n in Counter(values).items() if n > 1]
        if repeated:
            raise DatasetLayoutError(
                f'{ann_file}: the category {what} {repeated[0]!r} appears '
                f'{values.count(repeated[0])} times in "categories"')
    return tuple(ids), tuple(names)


def survey_coco_instances(ann_file: str, img_dir: str, ann_option: str,
                          img_option: str) -> CocoInstancesSplit:
    """Reads ``ann_file`` and checks it against the images in ``img_dir``:
    categories, image entries and files, and each object's image and
    category. ``*_option`` name where each path came from, for messages."""
    content = read_json(ann_file, ann_option)
    require_folder(img_dir, img_option)
    ids, names = _categories(content, ann_file, ann_option)
    images = content.get('images')
    if not isinstance(images, list):
        raise DatasetLayoutError(f'{ann_file} ({ann_option}) has no '
                                 '"images" list')
    image_ids = set()
    missing = []
    for index, image in enumerate(
            tracked(images, f'finding the images of {ann_file}')):
        if not isinstance(image, dict) or not isinstance(
                image.get('file_name'), str) or 'id' not in image:
            raise DatasetLayoutError(
                f'{ann_file}: images[{index}] has no "id" or "file_name"')
        image_ids.add(image['id'])
        if not osp.isfile(osp.join(img_dir, image['file_name'])):
            missing.append(image['file_name'])
    if missing:
        raise DatasetLayoutError(
            f'{len(missing)} of the {len(images)} images of {ann_file} are '
            f'not in {img_dir} ({img_option}), e.g. '
            f'{osp.join(img_dir, missing[0])}')
    annotations = content.get('annotations')
    if not isinstance(annotations, list):
        raise DatasetLayoutError(f'{ann_file} ({ann_option}) has no '
                                 '"annotations" list')
    id_to_name = dict(zip(ids, names))
    instances = Counter({name: 0 for name in names})
    annotated = set()
    num_crowd = num_without_mask = 0
    for index, annotation in enumerate(annotations):
        category = annotation.get('category_id')
        if category not in id_to_name:
            raise DatasetLayoutError(
                f'{ann_file}: annotations[{index}] has category_id '
                f'{category!r}, which "categories" does not list '
                f'(ids: {list(ids)})')
        check_box_and_image(annotation, index, ann_file, image_ids)
        if annotation.get('iscrowd'):
            num_crowd += 1
            continue
        instances[id_to_name[category]] += 1
        annotated.add(annotation['image_id'])
        if not annotation.get('segmentation'):
            num_without_mask += 1
    return CocoInstancesSplit(
        ann_file=ann_file, classes=names, category_ids=ids,
        num_images=len(images), num_empty_images=len(image_ids - annotated),
        instances=dict(instances), num_crowd=num_crowd,
        num_without_mask=num_without_mask)
