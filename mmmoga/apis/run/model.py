"""Models and configs by name, as ``mmpretrain.get_model`` or
``DetInferencer(model=NAME)`` offer theirs.

A name is a config file name of the model index (``model-index.yml`` and the
metafiles it imports), e.g. ``mask_rcnn_moga_s``; :func:`list_models` lists
them. Wherever a name is asked for, a config file path works too.

Weights (``pretrained``):

* ``False``: none; the model as its config builds it.
* a path: that file, either one of ours (a checkpoint of ``tools/train.py``
  or ``tools/publish_model.py``, ``.pth`` or ``.safetensors``) or an
  official MogaNet file, which is converted as
  ``tools/convert_checkpoint.py`` does; or a Hub-ready folder
  (``tools/publish_model.py --hf-dir``), whose ``model.safetensors`` is
  loaded. It must fill every tensor of the model with the right shape.
* ``True``: the released weights the model index names, downloaded once
  into torch's hub folder (``$TORCH_HOME/hub/checkpoints``). Before loading,
  the file's SHA-256 is compared with the index's ``Weights SHA-256``: a
  mismatch deletes the file and is refused; an index entry without a hash is
  refused too, since nothing would vouch for the file.
"""
import difflib
import fnmatch
import glob
import os
import os.path as osp
from functools import lru_cache
from typing import Dict, List, Optional, Union

from torch import nn

from mmmoga.checkpoint import (
    check_against_model,
    convert_official_checkpoint,
    fetch_weights,
    file_sha256,
    load_checkpoint_file,
)
from mmmoga.checkpoint.official import dataset_meta
from mmmoga.checkpoint.safetensors_files import weights_in
from mmmoga.engine import build_config_model
from mmmoga.errors import CheckpointError, ConfigCheckError
from mmmoga.model_index import Published, files_root, load_published
from mmmoga.tasks import TASKS_BY_SCOPE

from .config import load_config
from .config_checks import check_person_detector

Pretrained = Union[bool, str]


@lru_cache(maxsize=1)
def _models() -> Dict[str, Published]:
    """Name -> model index entry, for the installed configs."""
    root = files_root()
    return {entry.name: entry for entry in load_published(root).values()}


@lru_cache(maxsize=1)
def _toy_configs() -> Dict[str, str]:
    """Name -> file of the toy configs (``configs/<task>/toy/``): the
    demos' models, which have no model index entry (nothing published)."""
    pattern = osp.join(files_root(), 'configs', '*', 'toy', '*.py')
    return {osp.splitext(osp.basename(path))[0]: path
            for path in sorted(glob.glob(pattern))}


def list_models(pattern: str = '*', task: Optional[str] = None) -> List[str]:
    """The names in the model index that match ``pattern`` (shell-style:
    ``'mask_rcnn_*'``), of ``task`` (``det``, ``seg``, ``pose``, ``cls``)
    if given, sorted."""
    return sorted(name for name, entry in _models().items()
                  if fnmatch.fnmatch(name, pattern)
                  and (task is None or entry.task == task))


def model_entry(name: str) -> Published:
    """The model index entry of ``name``.

    Raises:
        ConfigCheckError: No model has that name (the closest are named).
    """
    models = _models()
    if name not in models:
        close = difflib.get_close_matches(
            name, [*models, *_toy_configs()], n=3)
        hint = (f'; did you mean {", ".join(close)}?' if close else
                '; mmmoga.list_models() lists them')
        raise ConfigCheckError(f'no model named {name!r} in the model index '
                               f'({len(models)} models){hint}')
    return models[name]


def config_file(name: str) -> str:
    """The config file of model ``name`` (a model index name, or a toy
    config's name such as ``moganet_xt_toy``), or ``name`` itself when it
    is a config file's path."""
    if name.endswith('.py') or osp.sep in name:
        if not osp.isfile(name):
            raise ConfigCheckError(f'config file {name} does not exist')
        return name
    if name not in _models() and name in _toy_configs():
        return _toy_configs()[name]
    return osp.join(files_root(), model_entry(name).config)


def get_config(name: str):
    """The config of model ``name`` (or of the config file ``name``), as the
    tools load it."""
    return load_config(config_file(name))


def released_weights(name: str) -> str:
    """The released weights of model ``name``: downloaded once, then checked
    against the model index's SHA-256 every time.

    Raises:
        CheckpointError: The index names no weights or no SHA-256 for them,
            the download fails, or the file's SHA-256 differs (the file is
            then deleted).
    """
    entry = model_entry(name)
    if not entry.weights:
        raise CheckpointError(
            f'the model index names no released weights for {name}; pass '
            'pretrained=PATH to a checkpoint of your own')
    path = fetch_weights(entry.weights, f'the weights of {name}',
                         'pass pretrained=PATH to weights you have')
    digest = file_sha256(path)
    if not entry.weights_sha256:
        raise CheckpointError(
            f'the model index records no SHA-256 for the weights of {name}, '
            f'so {path} (SHA-256 {digest}) is not loaded unchecked; compare '
            f'the hash with the publisher\'s, then pass pretrained={path!r}')
    if digest != entry.weights_sha256.lower():
        os.remove(path)
        raise CheckpointError(
            f'the weights of {name} downloaded from {entry.weights} have '
            f'SHA-256 {digest}, not {entry.weights_sha256} as the model '
            'index says; the file was deleted and is not used')
    return path


def weights_file(name: str, pretrained: Pretrained) -> Optional[str]:
    """The checkpoint file ``pretrained`` names for model ``name`` (see the
    module's docstring), or None for ``False``."""
    if pretrained is False:
        return None
    if pretrained is True:
        return released_weights(name)
    if not isinstance(pretrained, str):
        raise ConfigCheckError(
            f'pretrained must be True, False or a file path, got '
            f'{pretrained!r}')
    return weights_in(pretrained)


def load_weights(model: nn.Module, path: str, target: str) -> dict:
    """Loads ``path`` into ``model`` strictly: our checkpoints as they are,
    official MogaNet ones converted. Returns the dataset meta the file
    carries (empty if none)."""
    checkpoint = load_checkpoint_file(path)
    state_dict = checkpoint.get('state_dict', checkpoint)
    expected = model.state_dict()
    # Class names the file carries (ours, safetensors included) come first.
    meta = (checkpoint.get('meta') or {}).get('dataset_meta')
    if set(state_dict) == set(expected):
        check_against_model(state_dict, expected, target=target,
                            weights_name=f'the weights of {path}')
        meta = meta or dataset_meta(checkpoint)
    else:
        conversion = convert_official_checkpoint(
            checkpoint, model, target=target, name=path)
        state_dict = conversion.state_dict
        meta = meta or conversion.dataset_meta
    model.load_state_dict(state_dict, strict=True)
    return dict(meta or {})


def get_model(name: str, pretrained: Pretrained = False,
              device: str = 'cpu') -> nn.Module:
    """The model of ``name`` (a model index name or a config file), with the
    weights ``pretrained`` names, in eval mode on ``device``. The model's
    ``dataset_meta`` holds the class names the weights came with, if any.

    Raises:
        ConfigCheckError: Unknown name or unreadable config.
        CheckpointError: The weights cannot be had or do not fit the model.
    """
    cfg = get_config(name)
    model = model_with_weights(cfg, name, weights_file(name, pretrained))
    return model.to(device).eval()


def model_with_weights(cfg, name: str, path: Optional[str]) -> nn.Module:
    """``cfg``'s model with the weights of ``path`` (none if None) loaded
    by :func:`load_weights`, and the class names they carry as its
    ``dataset_meta``. ``name`` names the model in messages."""
    from mmengine.registry import DefaultScope

    # Built in the config's registry scope, which is then switched back:
    # a library call should not change what later builds in the caller's
    # process resolve 'LN2d' and the like to.
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        model = build_config_model(cfg)
    if path is not None:
        meta = load_weights(model, path, target=f'the model of {name}')
        if meta:
            model.dataset_meta = meta
    return model


def _inferencer_weights(name: str, cfg, pretrained: Pretrained
                        ) -> Optional[str]:
    """A checkpoint file the libraries' inferencers can load: ``pretrained``
    itself when it is ours, else its conversion, written once beside it
    (``<file>.mmmoga.pth``)."""
    import torch
    path = weights_file(name, pretrained)
    if path is None:
        return None
    model = build_config_model(cfg)
    checkpoint = load_checkpoint_file(path)
    if set(checkpoint.get('state_dict', checkpoint)) == \
            set(model.state_dict()):
        return path
    converted = osp.splitext(path)[0] + '.mmmoga.pth'
    if not osp.isfile(converted) or \
            osp.getmtime(converted) < osp.getmtime(path):
        meta = load_weights(model, path, target=f'the model of {name}')
        torch.save(dict(meta=dict(dataset_meta=meta),
                        state_dict=model.state_dict()), converted)
    return converted


def get_inferencer(name: str, pretrained: Pretrained = True,
                   device: Optional[str] = None, det: Optional[str] = None,
                   det_pretrained: Pretrained = True, det_cat_id: int = 0):
    """The task library's own inferencer for model ``name`` (a model index
    name or a config file) with the weights ``pretrained`` names:
    MMDetection's ``DetInferencer``, MMSegmentation's ``MMSegInferencer``,
    MMPose's ``MMPoseInferencer`` or MMPretrain's
    ``ImageClassificationInferencer``. Call it on images as that library
    documents.

    A top-down pose model reads person boxes: with ``det`` (a detector's
    model index name or config file, its weights ``det_pretrained``) the
    inferencer runs that detector first and estimates a pose in each box of
    class index ``det_cat_id``, as MMPose's ``det_model`` does; without it,
    each image is one person's box.

    Raises:
        ConfigCheckError: Unknown name, a config of another library, or
            ``det`` for a model that is not top-down pose or that is not a
            detector.
        CheckpointError: The weights cannot be had or do not fit the model.
    """
    # The inferencers get the loaded config, not its path: loading it here
    # resolves `mmmoga::` bases the way the tools do (load_config).
    cfg = get_config(name)
    scope = cfg.get('default_scope')
    if scope not in TASKS_BY_SCOPE:
        raise ConfigCheckError(
            f'{name}: inferencers exist for {", ".join(TASKS_BY_SCOPE)} '
            f'configs; its default_scope is {scope!r}')
    weights = _inferencer_weights(name, cfg, pretrained)
    task = TASKS_BY_SCOPE[scope]
    inferencer = task.load('inferencer')
    if det is not None:
        if task.name != 'pose' or cfg.get('data_mode',
                                          'topdown') != 'topdown':
            raise ConfigCheckError(
                f'det={det!r} finds people for top-down pose models; {name} '
                f'is a {task.library} model')
        det_cfg = get_config(det)
        check_person_detector(det_cfg, det_cat_id, f'det={det!r}',
                              'det_cat_id')
    # The libraries' inferencers name their weights differently.
    if task.name == 'pose':
        pose = inferencer(pose2d=cfg, pose2d_weights=weights,
                          det_model='whole_image', device=device)
        if det is not None:
            _add_person_detector(pose, det, det_cfg, det_pretrained,
                                 det_cat_id, device)
        return pose
    if task.name == 'cls':
        return inferencer(model=cfg, pretrained=weights or False,
                          device=device)
    return inferencer(model=cfg, weights=weights, device=device)


def _add_person_detector(pose_inferencer, det: str, det_cfg,
                         pretrained: Pretrained, cat_id: int,
                         device: Optional[str]):
    """Gives MMPose's inferencer the detector ``det`` (its loaded config
    ``det_cfg``) for its people.

    MMPose 1.3 builds its detector from ``det_model`` through
    ``os.path.exists`` and ``Config.fromfile``, which take a file path only:
    a loaded config (a model index name's, or one with ``mmmoga::`` bases
    resolved by :func:`load_config`) fails there. The detector is built
    here as MMPose builds it (a ``DetInferencer`` in the mmdet scope, no
    progress bar) and set where MMPose keeps it."""
    from mmdet.apis import DetInferencer
    pose2d = pose_inferencer.inferencer
    pose2d.detector = DetInferencer(
        model=det_cfg, weights=_inferencer_weights(det, det_cfg, pretrained),
        device=device, scope='mmdet', show_progress=False)
    pose2d.det_cat_ids = (cat_id, )

