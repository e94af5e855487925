"""Every top-level key of every config under configs/ is one that mmengine
or the task library reads.

Why the configs are written the way they are: mmengine 0.10's config
inheritance makes every top-level variable of a file a key of each config
that inherits it (and of the config a run saves in its work_dir), refuses
the same top-level key in two bases of one file ("Duplicate key is not
allowed among bases"), and drops names starting with ``__`` as soon as a
file is read. A helper variable shared between files (``moganet_s_widths =
[...]``, ``toy_data_root = ...``) therefore always becomes a config key that
nothing reads, and a per-size file cannot be mixed into a family file as a
second base. So, as mmdet's configs are, ours are composed from bases that
own disjoint keys (``configs/<task>/_base_/``): ``models/`` (the MogaNet-S
model of each family on the library's model base), ``datasets/`` (the full
and the toy data) and ``schedules/``; a family's S file and a toy config
are their bases plus what makes them that config. Every other size
inherits its family's S file and states only what its size changes --
``backbone=dict(arch=..., drop_path_rate=..., init_cfg=dict(checkpoint=...))``
and the widths that read the stages -- as mmdet's ConvNeXt and Swin size
configs do. MMPose ships each recipe as one file, so the pose family files
inherit it whole (``configs/pose/_base_/topdown_heatmap_moga_coco.py``).

A key is allowed when mmengine's Runner takes it as an argument, when it is
one of EXTRA_KEYS (each with who reads it), or when a library base config
in the file's ``_base_`` chain (``mmdet::``, ``mmseg::``, ``mmpose::``,
``mmpretrain::``) defines it: those bases' own variables (``data_root``,
``train_pipeline``, ``crop_size``, ``codec``, ...) are the keys their
configs are meant to override.
"""
import functools
import glob
import inspect
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG_FILES = sorted(
    osp.relpath(path, REPO)
    for path in glob.glob(osp.join(REPO, 'configs', '**', '*.py'),
                          recursive=True))
# The configs themselves; files in a _base_ folder are pieces of them.
CONFIGS = [c for c in CONFIG_FILES if '_base_' not in c.split(osp.sep)]

RUNNER_KEYS = frozenset(
    inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}
EXTRA_KEYS = frozenset({
    # mmengine's Config.fromfile imports these modules (mmmoga's registry).
    'custom_imports',
    # The test tools of mmdet, mmseg, mmpose and mmpretrain with --tta, and
    # mmmoga.apis.run.testing, wrap the model in `tta_model` and test on
    # `tta_pipeline`.
    'tta_model',
    'tta_pipeline',
    # Runner.from_cfg and mmengine's init_default_scope (also a Runner
    # argument).
    'default_scope',
    # mmmoga's runner policy (mmmoga/engine/runner.py): the fraction of
    # unreadable samples a training run may skip.
    'max_bad_sample_fraction',
})


@pytest.fixture(scope='module', autouse=True)
def cached_library_paths():
    """mmengine resolves each ``mmdet::...`` base by reading every
    metafile of the library (most of the time of loading a config): resolve
    each one once."""
    resolve = Config._get_cfg_path

    @functools.lru_cache(maxsize=None)
    def resolve_library_path(cfg_path):
        return resolve(cfg_path, '')

    def cached(cfg_path, filename):
        if '::' in cfg_path:
            return resolve_library_path(cfg_path)
        return resolve(cfg_path, filename)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Config, '_get_cfg_path', staticmethod(cached))
        yield


def load(path):
    # The keys do not depend on the modules in `custom_imports`.
    return Config.fromfile(path, import_custom_modules=False)


@functools.lru_cache(maxsize=None)
def library_bases(path):
    """The library configs (resolved paths) in the ``_base_`` chain of the
    config at ``path``: this repository's bases are followed, a library
    config is taken whole."""
    found = set()
    for base in Config._get_base_files(path):
        base_path, scope = Config._get_cfg_path(base, path)
        if scope is None:
            found |= library_bases(osp.normpath(base_path))
        else:
            found.add(base_path)
    return frozenset(found)


@functools.lru_cache(maxsize=None)
def library_keys(path):
    """The top-level keys of a library config, its own bases' included."""
    return frozenset(load(path).keys())


def test_configs_are_found():
    assert len(CONFIGS) > 40
    assert 'configs/det/mask_rcnn_moga_s.py' in CONFIGS
    assert 'configs/pose/_base_/topdown_heatmap_moga_coco.py' not in CONFIGS


@pytest.mark.parametrize('config', CONFIGS)
def test_every_top_level_key_is_read(config):
    path = osp.join(REPO, config)
    bases = library_bases(path)
    assert bases, f'{config} inherits no library config'
    allowed = RUNNER_KEYS | EXTRA_KEYS
    for base in bases:
        allowed |= library_keys(base)
    unread = sorted(set(load(path).keys()) - allowed)
    assert not unread, (
        f'{config}: top-level keys that neither mmengine nor the task '
        f'library reads: {unread}')


@pytest.mark.parametrize('config', CONFIG_FILES)
def test_bases_are_in_the_task_folder_or_a_library(config):
    """A config's bases are its task's files or a library's (``mmdet::``
    and the like), never a file two folders up: library base configs are
    inherited, not copied."""
    for base in Config._get_base_files(osp.join(REPO, config)):
        assert '::' in base or not base.startswith('../../'), \
            f'{config}: _base_ {base!r}'
