"""Semantic segmentation data (images and label maps) and the settings it
decides."""
from typing import Iterator, Tuple

from mmmoga.datasets.own_data import (
    count_table,
    distinct_colours,
    image_suffix,
    require_folder,
    survey_segmentation,
)
from mmmoga.errors import ConfigCheckError

from .plan import (
    Plan,
    read_classes,
)
from .thin_config import Path

# Paths relative to DATA_ROOT, per option: the toy dataset's layout.
DEFAULT_LAYOUT = dict(
    train_img='images/training/', val_img='images/validation/',
    train_seg='annotations/training/',
    val_seg='annotations/validation/')
# The options that describe this task's data; another task's, given, is an
# error rather than ignored (plan.check_options_apply).
OPTIONS = ('train_img', 'val_img', 'train_seg', 'val_seg', 'classes',
    'img_suffix', 'seg_suffix', 'reduce_zero_label')


def _load_annotation_steps(plan: Plan) -> Iterator[Path]:
    """Paths of every LoadAnnotations step of the config's pipelines
    (datasets' and test-time augmentation's)."""
    def steps(path: Path, pipeline) -> Iterator[Path]:
        for index, step in enumerate(pipeline or []):
            if not isinstance(step, dict):
                continue
            if step.get('type') == 'LoadAnnotations':
                yield path + (index, )
            for key in ('transforms', ):  # TestTimeAug's branches
                for b, branch in enumerate(step.get(key) or []):
                    yield from steps(path + (index, key, b), branch)
    for split in ('train', 'val', 'test'):
        for path in plan.datasets(split):
            yield from steps(path + ('pipeline', ),
                             plan.edit.get(path + ('pipeline', )))
    yield from steps(('tta_pipeline', ), plan.edit.get('tta_pipeline'))


def plan(plan: Plan) -> Tuple[str, ...]:
    classes = read_classes(plan.options.classes, '--classes')
    if classes is None:
        raise ConfigCheckError(
            '--classes is needed for segmentation: a file with one class '
            'name per line, or a comma list, in label-map value order')
    train_img, train_img_option = plan.full('train_img')
    require_folder(train_img, train_img_option)
    suffix = plan.options.img_suffix or image_suffix(train_img,
                                                     train_img_option)
    reduce = plan.options.reduce_zero_label
    for split in ('train', 'val'):
        img = plan.full(f'{split}_img')
        seg = plan.full(f'{split}_seg')
        survey = survey_segmentation(img[0], seg[0], suffix,
                                     plan.options.seg_suffix, classes,
                                     reduce, (img[1], seg[1]))
        total = sum(survey.pixels.values()) + survey.ignored_pixels
        plan.summary.append(
            f'{split}: {survey.num_images} images, '
            f'{survey.ignored_pixels / max(total, 1):.1%} of pixels ignored')
        if split == 'train':
            shares = {name: round(100 * count / max(total, 1), 2)
                      for name, count in survey.pixels.items()}
            plan.summary.append('pixels per class (train, % of all):')
            plan.summary += ['  ' + line for line in
                             count_table(shares, '%')]
    plan.set_datasets(('train', 'val', 'test'), 'type', 'BaseSegDataset')
    plan.set_datasets(('train', 'val', 'test'), 'data_root', plan.data_root)
    for split in ('train', 'val', 'test'):
        name = 'train' if split == 'train' else 'val'
        plan.set_datasets((split, ), 'data_prefix', dict(
            img_path=plan.path(f'{name}_img')[0],
            seg_map_path=plan.path(f'{name}_seg')[0]), True)
    plan.set_datasets(('train', 'val', 'test'), 'img_suffix', suffix)
    plan.set_datasets(('train', 'val', 'test'), 'seg_map_suffix',
                      plan.options.seg_suffix)
    plan.set_datasets(('train', 'val', 'test'), 'reduce_zero_label', reduce)
    plan.set_datasets(('train', 'val', 'test'), 'metainfo',
                      dict(classes=tuple(classes),
                           palette=distinct_colours(len(classes))),
                      replace=True)
    # mmseg's LoadAnnotations refuses a reduce_zero_label unlike the
    # dataset's.
    for step in _load_annotation_steps(plan):
        if plan.edit.get(step + ('reduce_zero_label', ), reduce) != reduce:
            plan.edit.set(step + ('reduce_zero_label', ), reduce)
    plan.summary.append(
        f'images *{suffix}, label maps *{plan.options.seg_suffix}; ' +
        ('label 0 ignored, 1-N are the classes (--reduce-zero-label)'
         if reduce else 'labels 0 to N-1 are the classes, 255 ignored'))
    return tuple(classes)
