"""What every task's survey of a user's dataset shares: paths that must
exist, JSON files that must parse, and the per-class counts it reports."""
import colorsys
import json
import os.path as osp
from typing import Dict, List, Tuple

from mmmoga.errors import DatasetLayoutError, DatasetNotFoundError


def require_file(path: str, option: str) -> str:
    """``path`` if it is a file; else an error naming it and the option
    (or default) that chose it."""
    if not osp.isfile(path):
        what = 'is a folder, not a file' if osp.isdir(path) else \
            'does not exist'
        raise DatasetNotFoundError(f'{path} ({option}) {what}')
    return path


def require_folder(path: str, option: str) -> str:
    """``path`` if it is a folder; else an error naming it and the option."""
    if not osp.isdir(path):
        what = 'is a file, not a folder' if osp.isfile(path) else \
            'does not exist'
        raise DatasetNotFoundError(f'{path} ({option}) {what}')
    return path


def read_json(path: str, option: str):
    """The content of the JSON file ``path``; an error naming the file and
    the place where it stops being JSON."""
    require_file(path, option)
    try:
        with open(path, encoding='utf-8') as file:
            return json.load(file)
    except json.JSONDecodeError as error:
        raise DatasetLayoutError(
            f'{path} ({option}) is not valid JSON: {error.msg} at line '
            f'{error.lineno}, column {error.colno}') from None
    except UnicodeDecodeError as error:
        raise DatasetLayoutError(f'{path} ({option}) is not UTF-8 text: '
                                 f'{error.reason}') from None


def count_table(counts: Dict[str, int], unit: str,
                limit: int = 12) -> List[str]:
    """Lines ``name: count unit`` in class order; beyond ``limit`` classes,
    the largest ``limit`` counts and the rest summed in one line, so that a
    dataset of a thousand classes prints a screenful."""
    ordered = list(counts.items())
    if len(ordered) > limit:
        ordered.sort(key=lambda item: -item[1])
    lines = [f'{name}: {count} {unit}' for name, count in ordered[:limit]]
    rest = ordered[limit:]
    if rest:
        lines.append(f'({len(rest)} more classes: '
                     f'{sum(c for _, c in rest)} {unit})')
    return lines


def distinct_colours(count: int) -> List[Tuple[int, int, int]]:
    """``count`` RGB colours for drawings, each hue a golden-ratio step
    from the last, so that neighbouring classes differ. Tuples: MMDetection's
    visualizer takes a colour as a tuple, not a list."""
    return [tuple(round(255 * c)
                  for c in colorsys.hsv_to_rgb((i * 0.618034) % 1, .75, .95))
            for i in range(count)]


def check_box_and_image(annotation: dict, index: int, ann_file: str,
                        image_ids) -> None:
    """An annotation of a COCO file has a box ``[x, y, w, h]`` and the id of
    a listed image; else an error naming the file and the annotation."""
    bbox = annotation.get('bbox')
    if not isinstance(bbox, list) or len(bbox) != 4:
        raise DatasetLayoutError(
            f'{ann_file}: annotations[{index}] has no "bbox" of four numbers '
            f'[x, y, width, height] (it has {bbox!r})')
    if annotation.get('image_id') not in image_ids:
        raise DatasetLayoutError(
            f'{ann_file}: annotations[{index}] has image_id '
            f'{annotation.get("image_id")!r}, which "images" does not list')


def coco_categories(content, ann_file: str, option: str,
                    example: str) -> list:
    """The ``categories`` list of a COCO file's ``content``; an error naming
    the file, with ``example`` (what the list holds), if it has none."""
    categories = content.get('categories') if isinstance(content, dict) \
        else None
    if not categories or not isinstance(categories, list):
        raise DatasetLayoutError(
            f'{ann_file} ({option}) has no "categories" list: {example}')
    return categories
