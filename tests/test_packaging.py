"""The package as a user installs it: the wheel carries the configs, tools
and model index (mmmoga/.mim) and names its extras; installed into a
throwaway folder it imports from outside the repository, `mim` finds its
models and runs its tools, and a config in the user's own project inherits
ours as ``mmmoga::<task>/<file>.py``."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys
import zipfile
from email.parser import Parser

import pytest

from helpers import REPO, run_tool
from mmmoga.model_index import load_published

pytestmark = pytest.mark.slow
MIM = osp.join(osp.dirname(sys.executable), 'mim')


@pytest.fixture(scope='module')
def wheel(tmp_path_factory):
    folder = tmp_path_factory.mktemp('wheel')
    result = run_tool(sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
                      '--no-build-isolation', '-w', str(folder), '.')
    assert result.returncode == 0, result.stderr[-3000:]
    [path] = glob.glob(str(folder / 'mmmoga-*.whl'))
    return path


@pytest.fixture(scope='module')
def installed(wheel, tmp_path_factory):
    """The wheel installed into a folder of its own, and an environment
    that puts that folder first on the path (before the editable install of
    the repository)."""
    target = tmp_path_factory.mktemp('site')
    result = run_tool(sys.executable, '-m', 'pip', 'install', '-q',
                      '--no-deps', '--target', str(target), wheel)
    assert result.returncode == 0, result.stderr[-3000:]
    env = {**os.environ, 'PYTHONPATH': str(target)}
    return target, env


def run_outside(args, env, folder):
    return subprocess.run(args, cwd=folder, env=env, capture_output=True,
                          text=True, timeout=600)


def test_wheel_carries_configs_tools_and_model_index(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    mim = 'mmmoga/.mim/'
    configs = {osp.relpath(p, REPO) for p in glob.glob(
        osp.join(REPO, 'configs', '**', '*.py'), recursive=True)}
    tools = {osp.relpath(p, REPO) for p in glob.glob(
        osp.join(REPO, 'tools', '*')) if osp.isfile(p)}
    metafiles = {entry.config for entry in load_published(REPO).values()}
    expected = {mim + path for path in {'model-index.yml', *configs, *tools}}
    assert expected <= names, sorted(expected - names)[:5]
    assert {mim + path for path in metafiles} <= names
    assert not [n for n in names if '__pycache__' in n]


def test_wheel_names_its_extras_with_the_pins(wheel):
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [n for n in archive.namelist()
                      if n.endswith('.dist-info/METADATA')]
        fields = Parser().parsestr(archive.read(metadata).decode())
    extras = set(fields.get_all('Provides-Extra'))
    assert {'det', 'seg', 'pose', 'cls', 'timm', 'deploy', 'mim',
            'all'} <= extras
    requires = fields.get_all('Requires-Dist')
    # Without extras: torch and numpy, nothing of OpenMMLab.
    assert sorted(r for r in requires if 'extra ==' not in r) == [
        'numpy', 'torch>=2.0'
    ]
    for pinned in ('mmdet==3.3.0; extra == "det"',
                   'mmsegmentation==1.2.2; extra == "seg"',
                   'mmpretrain==1.2.0; extra == "cls"',
                   'onnxruntime==1.32.0; extra == "deploy"',
                   'timm>=1.0.16; extra == "timm"',
                   'mmdet==3.3.0; extra == "all"'):
        assert pinned in requires, requires
    for task in ('det', 'seg', 'pose', 'cls'):
        assert f'mmengine==0.10.7; extra == "{task}"' in requires
        assert f'safetensors; extra == "{task}"' in requires
    # chumpy, which mmpose requires, does not build on Python 3.11.
    assert not [r for r in requires if r.startswith(('mmpose', 'chumpy'))]
    # The OneDL stack's extras name the forks and nothing upstream that
    # installs the same import names (nor numpy 1: onedl-mmseg needs 2).
    upstream = ('mmengine', 'mmcv', 'mmdet', 'mmsegmentation', 'mmpretrain',
                'mmpose', 'numpy')
    for task, fork in (('det', 'onedl-mmdetection==3.5.1'),
                       ('seg', 'onedl-mmsegmentation==1.4.2'),
                       ('cls', 'onedl-mmpretrain==1.3.6')):
        named = [r.split(';')[0] for r in requires
                 if r.endswith(f'extra == "onedl-{task}"')]
        assert {fork, 'onedl-mmengine==0.10.12'} <= set(named), named
        assert not [r for r in named
                    if re.split('[<>=!~ ]', r)[0] in upstream], named
    onedl_all = [r.split(';')[0] for r in requires
                 if r.endswith('extra == "onedl-all"')]
    assert 'onedl-mmdetection==3.5.1' in onedl_all
    assert not [r for r in onedl_all if re.split('[<>=!~ ]', r)[0] in
                upstream]
    assert 'onedl-pose' not in extras  # no MMPose fork is published


def test_installed_wheel_imports_and_lists_models_outside_the_repo(
        installed, tmp_path):
    target, env = installed
    result = run_outside([
        sys.executable, '-c',
        'import mmmoga, mmmoga.model_index as index; '
        'print(mmmoga.__file__); print(index.files_root()); '
        'print(len(mmmoga.list_models()))'
    ], env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    module, root, count = result.stdout.split()
    assert module == str(target / 'mmmoga' / '__init__.py')
    assert root == str(target / 'mmmoga' / '.mim')
    assert int(count) == len(load_published(REPO))


def test_mim_search_lists_the_zoo_with_its_metrics(installed, tmp_path):
    _, env = installed
    result = run_outside([MIM, 'search', 'mmmoga', '--model',
                          'mask r-cnn (moganet)'], env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    blocks = result.stdout.split('config id: ')[1:]
    names = {block.split()[0] for block in blocks}
    assert 'mask_rcnn_moga_s' in names and 'retinanet_moga_s' not in names
    [small] = [b for b in blocks if b.startswith('mask_rcnn_moga_s\n')]
    assert 'coco/box_ap' in small and '46.6' in small


def test_user_config_inherits_ours_through_mim_train_and_test(
        installed, tmp_path, toy_data):
    """`mim train mmmoga` and `mim test mmmoga` run our tools on a config of
    the user's own project whose base is one of our toy configs."""
    _, env = installed
    (tmp_path / 'my_classifier.py').write_text(
        "_base_ = 'mmmoga::cls/toy/moganet_xt_toy.py'\n"
        "train_cfg = dict(max_epochs=1)\n"
        "model = dict(head=dict(loss=dict(label_smooth_val=0.2)))\n")
    data = [f'{split}_dataloader.dataset.data_root={toy_data("cls")}/'
            for split in ('train', 'val', 'test')]
    workers = [f'{split}_dataloader.num_workers=0'
               for split in ('train', 'val', 'test')]
    train = run_outside([
        MIM, 'train', 'mmmoga', 'my_classifier.py', '--gpus', '0',
        '--work-dir', 'work', '--cfg-options', *data, *workers
    ], env, tmp_path)
    assert train.returncode == 0, (train.stdout + train.stderr)[-3000:]
    dumped = (tmp_path / 'work' / 'my_classifier.py').read_text()
    assert 'label_smooth_val=0.2' in dumped
    assert "'mmmoga'" in dumped  # only in custom_imports: no package scope
    assert dumped.count('mmmoga') == 1, dumped
    test = run_outside([
        MIM, 'test', 'mmmoga', 'my_classifier.py', '--gpus', '0',
        '--checkpoint', 'work/epoch_1.pth', '--cfg-options', *data, *workers
    ], env, tmp_path)
    assert test.returncode == 0, (test.stdout + test.stderr)[-3000:]
    assert 'accuracy/top1' in test.stdout + test.stderr
