"""Checks run by the tools before a Runner is built, so that a wrong path or
width stops with one message naming it instead of a traceback deep inside a
dataset or a convolution."""
import difflib
import inspect
import os
import os.path as osp
from typing import Iterator, List, Optional, Sequence, Tuple

from mmengine.config import Config

from mmmoga.errors import ConfigCheckError, DatasetNotFoundError
from mmmoga.models import MogaNet, moganet_configs
from mmmoga.tasks import TASKS_BY_SCOPE

# Top-down pose configs evaluate on the boxes of a person detector.
PERSON_BOXES_HINT = (
    'It holds the person detector\'s boxes the evaluation uses; MMPose\'s '
    'COCO guide links COCO_val2017_detections_AP_H_56_person.json (put it in '
    'data/coco/person_detection_results/). To evaluate on ground-truth '
    'boxes instead, add --cfg-options val_dataloader.dataset.bbox_file=None '
    'test_dataloader.dataset.bbox_file=None.')
# A config of one's own that inherits ours keeps our relative data paths,
# which are read from wherever the tool runs.
RELATIVE_PATH_HINT = (
    'Relative paths are read from the folder you run in ({cwd}); a config '
    'of your own that inherits ours sets each dataloader\'s '
    'dataset.data_root (and the evaluators\' ann_file) to where the data '
    'is. ')
DEFAULT_HINT = ('Prepare the dataset as described in the documentation of '
                'the OpenMMLab library this config belongs to.')
DATASET_WRAPPER_KEYS = ('dataset', 'datasets')


def _is_local(path) -> bool:
    return isinstance(path, str) and '://' not in path


def _iter_datasets(dataset, key: str) -> Iterator[Tuple[str, dict]]:
    """Yields every dataset config, looking inside dataset wrappers."""
    if not isinstance(dataset, dict):
        return
    yield key, dataset
    for wrapper_key in DATASET_WRAPPER_KEYS:
        inner = dataset.get(wrapper_key)
        if isinstance(inner, (list, tuple)):
            for i, item in enumerate(inner):
                yield from _iter_datasets(item, f'{key}.{wrapper_key}[{i}]')
        elif inner is not None:
            yield from _iter_datasets(inner, f'{key}.{wrapper_key}')


def _dataset_paths(dataset: dict, key: str):
    """(config key, path, existence test) of each local path of a dataset
    config."""
    data_root = dataset.get('data_root') or ''
    if _is_local(data_root) and data_root:
        yield f'{key}.data_root', data_root, osp.isdir
    ann_file = dataset.get('ann_file')
    if _is_local(ann_file) and ann_file:
        yield f'{key}.ann_file', osp.join(data_root, ann_file), osp.isfile
    # MMPose reads the detections file as given, not under data_root.
    bbox_file = dataset.get('bbox_file')
    if _is_local(bbox_file) and bbox_file:
        yield f'{key}.bbox_file', bbox_file, osp.isfile
    prefixes = dataset.get('data_prefix') or {}
    if isinstance(prefixes, str):  # mmpretrain: one folder
        if _is_local(prefixes):
            yield (f'{key}.data_prefix', osp.join(data_root, prefixes),
                   osp.isdir)
        return
    for name, prefix in prefixes.items():
        if _is_local(prefix) and prefix:
            yield (f'{key}.data_prefix.{name}', osp.join(data_root, prefix),
                   osp.isdir)


def _evaluator_paths(evaluator, key: str):
    """The annotation files that evaluators (e.g. COCO metrics) read."""
    for i, metric in enumerate(evaluator if isinstance(evaluator, list)
                               else [evaluator]):
        ann_file = metric.get('ann_file') if isinstance(metric,
                                                        dict) else None
        if _is_local(ann_file) and ann_file:
            name = f'{key}[{i}]' if isinstance(evaluator, list) else key
            yield f'{name}.ann_file', ann_file, osp.isfile


def _data_hint(cfg: Config) -> str:
    task = TASKS_BY_SCOPE.get(cfg.get('default_scope'))
    return task.data_hint if task else DEFAULT_HINT


def check_dataset_paths(cfg: Config, splits=('train', 'val', 'test')):
    """Raises :class:`DatasetNotFoundError` for the first dataset path
    (``data_root``, ``ann_file``, ``data_prefix``, ``bbox_file``) of the
    given splits' dataloaders, or annotation file of their evaluators, that
    does not exist."""
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        paths = []
        if loader:
            for key, dataset in _iter_datasets(loader.get('dataset'),
                                               f'{split}_dataloader.dataset'):
                paths += _dataset_paths(dataset, key)
        if split != 'train' and cfg.get(f'{split}_evaluator'):
            paths += _evaluator_paths(cfg.get(f'{split}_evaluator'),
                                      f'{split}_evaluator')
        for path_key, path, exists in paths:
            if not exists(path):
                hint = (PERSON_BOXES_HINT if path_key.endswith('.bbox_file')
                        else _data_hint(cfg))
                if not osp.isabs(osp.expanduser(path)):
                    hint = RELATIVE_PATH_HINT.format(cwd=os.getcwd()) + hint
                raise DatasetNotFoundError(
                    f'Dataset path {path} ({path_key} in {cfg.filename}) '
                    f'does not exist. {hint}')


def _model_config(cfg: Config) -> dict:
    """``cfg.model``, or the model inside its test-time augmentation
    wrapper, which holds it as ``module``."""
    model = cfg.get('model') or {}
    while isinstance(model.get('module'), dict):
        model = model['module']
    return model


# Necks that pool the backbone's outputs without changing their width
# (mmpretrain's classifiers).
POOLING_NECKS = ('GlobalAveragePooling', 'GeneralizedMeanPooling')
# Heads that read the backbone's outputs themselves when a model has no neck:
# mmseg's EncoderDecoder heads select them with ``in_index``; mmpose's
# top-down heads read the last; Mask2Former's (mmdet's ``panoptic_head``,
# mmseg's ``decode_head``) read them all through their pixel decoder.
BACKBONE_HEADS = ('decode_head', 'auxiliary_head', 'head', 'panoptic_head')


def _head_inputs(head: dict, widths: List[int], key: str,
                 filename: str) -> Optional[list]:
    """The widths of the backbone outputs that ``head`` selects with its
    ``in_index`` (an int or a list, as in mmseg's decode heads); a head
    without ``in_index`` reads the last output, or every output if its
    ``in_channels`` is a list (Mask2Former's pixel decoder)."""
    if 'in_index' not in head and isinstance(head.get('in_channels'),
                                             (list, tuple)):
        return list(widths)
    in_index = head.get('in_index', -1)
    indices = list(in_index) if isinstance(in_index, (list, tuple)) \
        else [in_index]
    for index in indices:
        if not isinstance(index, int) or not -len(widths) <= index < len(
                widths):
            raise ConfigCheckError(
                f'model.{key}.in_index={in_index!r} in {filename} selects '
                f'an output the backbone does not have (it has '
                f'{len(widths)}: widths {widths})')
    selected = [widths[i] for i in indices]
    return selected if isinstance(in_index, (list, tuple)) else selected[0]


# Keys of a module config that mmengine's registry reads itself.
REGISTRY_KEYS = ('type', '_scope_')


def _check_moganet_arguments(moganet: dict, path: str, filename: str):
    """Every key of a MogaNet config is an argument of MogaNet: a misspelt
    one names the nearest valid names."""
    arguments = [name for name in inspect.signature(MogaNet).parameters
                 if name != 'self']
    for key in moganet:
        if key in REGISTRY_KEYS or key in arguments:
            continue
        close = difflib.get_close_matches(key, arguments, n=2)
        hint = (f'; did you mean {" or ".join(map(repr, close))}?' if close
                else f'; its arguments are {", ".join(arguments)}')
        raise ConfigCheckError(
            f'{path}.{key} in {filename}: unknown argument of MogaNet{hint}')


def check_backbone(cfg: Config):
    """Checks a MogaNet backbone's arch and the widths of what reads its
    outputs: the neck if there is one, else the heads that take backbone
    features (``decode_head``, ``auxiliary_head``, mmpose's ``head``)."""
    for path, moganet in moganet_configs(cfg.model):
        _check_moganet_arguments(moganet, path, cfg.filename)
    model = _model_config(cfg)
    backbone = model.get('backbone') or {}
    if backbone.get('type') not in ('MogaNet', 'mmmoga.MogaNet', MogaNet):
        return
    arch = backbone.get('arch', 'tiny')
    try:
        widths = MogaNet.stage_widths(arch, backbone.get('out_indices',
                                                         (0, 1, 2, 3)))
    except (TypeError, ValueError) as error:
        raise ConfigCheckError(f'model.backbone in {cfg.filename}: {error}') \
            from None
    neck = model.get('neck')
    if neck:
        if isinstance(neck, dict) and 'in_channels' in neck and \
                list(neck['in_channels']) != widths:
            raise ConfigCheckError(
                f'model.neck.in_channels={list(neck["in_channels"])} in '
                f'{cfg.filename} does not match the MogaNet {arch!r} '
                f'outputs, whose widths are {widths}')
        # Pooling keeps the width: the classifier reads the last stage's.
        head = model.get('head')
        if isinstance(neck, dict) and neck.get('type') in POOLING_NECKS \
                and isinstance(head, dict) and 'in_channels' in head \
                and head['in_channels'] != widths[-1]:
            raise ConfigCheckError(
                f'model.head.in_channels={head["in_channels"]} in '
                f'{cfg.filename} does not match the MogaNet {arch!r} '
                f'output it reads through model.neck ({neck["type"]}), '
                f'whose width is {widths[-1]}')
        return
    for key in BACKBONE_HEADS:
        heads = model.get(key)
        # mmseg accepts a list of heads (cascades) as well as one.
        for i, head in enumerate(heads if isinstance(heads, list) else
                                 [heads]):
            if not isinstance(head, dict) or 'in_channels' not in head:
                continue
            name = key if not isinstance(heads, list) else f'{key}[{i}]'
            expected = _head_inputs(head, widths, name, cfg.filename)
            found = head['in_channels']
            if isinstance(found, tuple):
                found = list(found)
            if found != expected:
                reads = (f'in_index={head["in_index"]}' if 'in_index' in head
                         else 'all of them' if isinstance(expected, list)
                         else 'the last of them')
                raise ConfigCheckError(
                    f'model.{name}.in_channels={found} in {cfg.filename} '
                    f'does not match the MogaNet {arch!r} outputs it reads '
                    f'({reads}), whose widths are {expected}')


def checkpoint_candidates(cfg: Config, resume: Optional[str] = None
                          ) -> List[Tuple[str, str]]:
    """(key, path or URL) of every checkpoint a run of ``cfg`` loads:
    ``--resume`` or ``load_from``, and the backbone's pretrained weights."""
    candidates = []
    if resume not in (None, 'auto'):
        candidates.append(('--resume', resume))
    elif cfg.get('load_from'):
        candidates.append(('load_from', cfg.load_from))
    init_cfg = (_model_config(cfg).get('backbone') or {}).get('init_cfg')
    for init in init_cfg if isinstance(init_cfg, list) else [init_cfg]:
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            candidates.append(('model.backbone.init_cfg.checkpoint',
                               init.get('checkpoint')))
    return candidates


def check_checkpoint_paths(cfg: Config, resume: Optional[str] = None):
    """Checks local checkpoint files named by the config or ``--resume``."""
    for key, path in checkpoint_candidates(cfg, resume):
        if _is_local(path) and not osp.isfile(osp.expanduser(path)):
            raise ConfigCheckError(
                f'Checkpoint file {path} ({key}) does not exist')


# Heads whose class count is not the dataset's: the RPN scores objectness.
CLASS_AGNOSTIC_KEYS = ('rpn_head', )


# Heads that classify each query into the classes or "no object"
# (MaskFormer's family): their loss's class_weight has a weight per class and
# one for "no object", the last.
QUERY_CLASSIFIER_HEADS = ('MaskFormerHead', 'Mask2FormerHead')
CLASS_WEIGHT = 'class_weight'


def class_count_settings(config, path: str, in_query_head: bool = False):
    """(path, value, 'classes') of every ``num_classes`` in a model config;
    of the ``num_things_classes`` of an instance-segmentation Mask2Former
    (no stuff classes), and of the class count its ``class_weight`` list
    implies (its length less the "no object" weight)."""
    if isinstance(config, dict):
        head_type = str(config.get('type', '')).split('.')[-1]
        in_query_head = in_query_head or head_type in QUERY_CLASSIFIER_HEADS
        for key, value in config.items():
            if key in CLASS_AGNOSTIC_KEYS:
                continue
            if key == 'num_classes' and isinstance(value, int):
                yield f'{path}.num_classes', value, 'classes'
            elif key == 'num_things_classes' and isinstance(value, int) \
                    and config.get('num_stuff_classes') == 0:
                yield f'{path}.num_things_classes', value, 'classes'
            elif key == CLASS_WEIGHT and in_query_head and \
                    isinstance(value, (list, tuple)):
                yield f'{path}.{CLASS_WEIGHT}', len(value) - 1, 'classes'
            elif isinstance(value, (dict, list, tuple)):
                yield from class_count_settings(value, f'{path}.{key}',
                                                in_query_head)
    elif isinstance(config, (list, tuple)):
        for index, value in enumerate(config):
            yield from class_count_settings(value, f'{path}[{index}]',
                                            in_query_head)


def query_class_weights(weights: Sequence[float], count: int) -> List[float]:
    """A query head's ``class_weight`` for ``count`` classes: 1 for each
    class, and the "no object" weight of ``weights`` (its last)."""
    return [1.0] * count + [weights[-1]]


def _pose_head_outputs(model: dict):
    """(path, out_channels) of a pose model's heatmap head."""
    head = model.get('head')
    if isinstance(head, dict) and isinstance(head.get('out_channels'), int):
        yield 'model.head.out_channels', head['out_channels'], 'keypoints'


def _dataset_labels(dataset: dict, scope: Optional[str]):
    """(what, count, whence) the dataset config's samples are labelled with:
    its classes (``metainfo`` or its dataset class's), or for MMPose its
    keypoints, and where that count comes from; None where the config does
    not say (e.g. classes found in folders)."""
    from mmengine.registry import DATASETS
    metainfo = dataset.get('metainfo') or {}
    dataset_type = dataset.get('type')
    dataset_class = dataset_type
    if isinstance(dataset_type, str):
        try:
            with DATASETS.switch_scope_and_registry(scope) as registry:
                dataset_class = registry.get(dataset_type)
        except (KeyError, ImportError):
            dataset_class = None
    default = getattr(dataset_class, 'METAINFO', None) or {}
    if scope == 'mmpose':
        from mmpose.datasets.datasets.utils import parse_pose_metainfo
        meta = dict(metainfo) if metainfo else dict(default)
        if not meta:
            return None
        try:
            count = parse_pose_metainfo(meta)['num_keypoints']
        except (FileNotFoundError, KeyError, TypeError):
            return None  # the dataset's own loading names the problem
        return 'keypoints', count, _labels_whence(metainfo, dataset_type)
    classes = metainfo.get('classes') or default.get('classes')
    if not classes:
        return None
    return ('classes', len(classes),
            _labels_whence(metainfo.get('classes'), dataset_type))


def _labels_whence(given, dataset_type) -> str:
    if given:
        return 'its metainfo'
    name = getattr(dataset_type, '__name__', dataset_type)
    return f"{name}'s own: the config gives it no metainfo"


def check_class_counts(cfg: Config):
    """Every head's class count (``num_classes``; a pose head's
    ``out_channels``) equals the number of classes (keypoints) of the
    training dataset, or of the test dataset for a test-only config: a
    forgotten head otherwise trains or tests without an error and gives a
    wrong model."""
    model = _model_config(cfg)
    for split in ('train', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if not loader:
            continue
        labelled = [(key, _dataset_labels(dataset, cfg.get('default_scope')))
                    for key, dataset in _iter_datasets(
                        loader.get('dataset'), f'{split}_dataloader.dataset')]
        labelled = [(key, labels) for key, labels in labelled if labels]
        if not labelled:
            continue
        key, (what, count, whence) = labelled[-1]  # the innermost dataset
        settings = list(class_count_settings(model, 'model'))
        if cfg.get('default_scope') == 'mmpose':
            settings = list(_pose_head_outputs(model))
        elif isinstance(cfg.get('data_preprocessor'), dict):
            # MMPretrain's top-level one feeds Mixup / CutMix.
            settings += class_count_settings(
                {'data_preprocessor': cfg.data_preprocessor}, '')
        for path, value, kind in settings:
            if kind == what and value != count and \
                    path.endswith(CLASS_WEIGHT):
                raise ConfigCheckError(
                    f'{path.lstrip(".")} in {cfg.filename} has {value + 1} '
                    f'weights, for {value} {what} and "no object"; the '
                    f'{count} {what} of {key} need {count + 1}')
            if kind == what and value != count:
                # Either side may be the wrong one: say how to fix each.
                raise ConfigCheckError(
                    f'{path.lstrip(".")}={value} in {cfg.filename} does not '
                    f'match the {count} {what} of {key} ({whence}). For '
                    f'{value} {what} of your own, give each dataloader\'s '
                    f'dataset metainfo naming them (tools/dataset_config.py '
                    f'writes that and every head\'s count from your data); '
                    f'for the dataset\'s {count}, set it to {count}')
        return


# Pipeline steps that import a package the stack does not install, and why
# it does not.
OPTIONAL_STEP_PACKAGES = {
    'Albumentation': (
        'albumentations', 'it is not installed with mmmoga because it '
        'requires opencv-python-headless, a second cv2 beside the '
        'opencv-python that mmcv requires; `pip install albumentations` '
        'adds it, or remove the step'),
}


def _pipeline_steps(cfg: Config, splits) -> Iterator[Tuple[str, dict]]:
    """(config key, step) of every step of the splits' pipelines and of the
    pipelines that hooks switch to."""
    for split in splits:
        loader = cfg.get(f'{split}_dataloader') or {}
        for key, dataset in _iter_datasets(loader.get('dataset'),
                                           f'{split}_dataloader.dataset'):
            for i, step in enumerate(dataset.get('pipeline') or []):
                yield f'{key}.pipeline[{i}]', step
    if 'train' in splits:
        for h, hook in enumerate(cfg.get('custom_hooks') or []):
            for i, step in enumerate(hook.get('switch_pipeline') or []):
                yield f'custom_hooks[{h}].switch_pipeline[{i}]', step


def check_pipeline_packages(cfg: Config, splits=('train', 'val', 'test')):
    """Every pipeline step whose package is missing is a
    :class:`ConfigCheckError` naming the step, before a Runner builds it."""
    import importlib.util
    for key, step in _pipeline_steps(cfg, splits):
        needed = OPTIONAL_STEP_PACKAGES.get(
            step.get('type') if isinstance(step, dict) else None)
        if needed and importlib.util.find_spec(needed[0]) is None:
            raise ConfigCheckError(
                f'{key} ({step["type"]}) needs the {needed[0]} package: '
                f'{needed[1]}')


def check_config(cfg: Config,
                 resume: Optional[str] = None,
                 splits=('train', 'val', 'test')):
    """All checks the tools run before building a Runner."""
    check_backbone(cfg)
    check_class_counts(cfg)
    check_checkpoint_paths(cfg, resume)
    check_dataset_paths(cfg, splits)
    check_pipeline_packages(cfg, splits)


def check_person_detector(det_cfg: Config, cat_id: int, det_name: str,
                          cat_option: str):
    """``det_cfg`` is an MMDetection config with a class ``cat_id`` (the
    person class a top-down pose model reads the boxes of), or one line
    naming ``det_name`` and the option (``cat_option``) at fault."""
    from .config import test_dataset_meta
    scope = det_cfg.get('default_scope')
    if scope != 'mmdet':
        raise ConfigCheckError(
            f'{det_name} is not an MMDetection config (default_scope '
            f'{scope!r})')
    classes = test_dataset_meta(det_cfg).get('classes') or ()
    if classes and not 0 <= cat_id < len(classes):
        raise ConfigCheckError(
            f'{cat_option} {cat_id}: the detector of {det_name} has '
            f'{len(classes)} classes (0 to {len(classes) - 1}: '
            f'{", ".join(classes)})')
