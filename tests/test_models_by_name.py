"""Models and configs by name (mmmoga.list_models, get_config, get_model,
get_inferencer), released weights checked against the model index, and
tools/publish_model.py."""
import glob
import hashlib
import os
import sys

import pytest
import torch

import mmmoga
from helpers import REPO, run_tool
from mmmoga.apis.run import model as models_by_name
from mmmoga.errors import CheckpointError, ConfigCheckError
from mmmoga.model_index import load_published

# As many class names as the ImageNet head has outputs.
CLASSES = tuple(f'class {index}' for index in range(1000))
# The smallest model of each task and an input it takes.
ONE_PER_TASK = {
    'det': ('retinanet_moga_xt', (1, 3, 96, 128)),
    'seg': ('fpn_moga_xt', (1, 3, 64, 64)),
    'pose': ('topdown_heatmap_moga_xt_256x192', (1, 3, 64, 48)),
    'cls': ('moganet_xt_in1k', (1, 3, 64, 64)),
}


def test_every_metafile_entry_is_listed_by_name():
    entries = load_published(REPO)
    names = mmmoga.list_models()
    assert sorted(entry.name for entry in entries.values()) == names
    assert mmmoga.list_models('mask_rcnn_moga_*_ms3x') == [
        f'mask_rcnn_moga_{size}_ms3x' for size in ('b', 'l', 's', 't')]
    assert set(mmmoga.list_models(task='pose')) == {
        e.name for e in entries.values() if e.task == 'pose'}


def test_get_config_is_the_config_file_of_the_name():
    cfg = mmmoga.get_config('upernet_moga_s')
    assert cfg.model.backbone.arch == 'small'
    assert cfg.filename.endswith(os.path.join('configs', 'seg',
                                              'upernet_moga_s.py'))


@pytest.mark.parametrize('task', sorted(ONE_PER_TASK))
def test_get_model_builds_and_runs_one_forward(task):
    name, shape = ONE_PER_TASK[task]
    model = mmmoga.get_model(name)
    assert not model.training
    with torch.no_grad():
        outputs = model(torch.rand(shape), None, mode='tensor')
    first = outputs if torch.is_tensor(outputs) else outputs[0][0]
    assert torch.isfinite(first).all()


def test_unknown_name_suggests_the_closest():
    with pytest.raises(ConfigCheckError, match='did you mean fpn_moga_xt'):
        mmmoga.get_model('fpn_moga_xxt')
    with pytest.raises(ConfigCheckError, match='did you mean moganet_xt_toy'):
        mmmoga.get_config('moganet_xt_toys')


def test_toy_configs_by_name():
    """The demos' configs have no model index entry (nothing published) but
    come by name too."""
    cfg = mmmoga.get_config('moganet_xt_toy')
    assert cfg.filename.endswith(os.path.join('configs', 'cls', 'toy',
                                              'moganet_xt_toy.py'))
    model = mmmoga.get_model('moganet_xt_toy')
    assert model.head.fc.out_features == 3
    assert 'moganet_xt_toy' not in mmmoga.list_models()
    with pytest.raises(ConfigCheckError, match="no model named "
                       "'moganet_xt_toy' in the model index"):
        mmmoga.get_model('moganet_xt_toy', pretrained=True)


@pytest.fixture(scope='module')
def classifier_checkpoint(tmp_path_factory):
    """A checkpoint of moganet_xt_in1k with weights unlike a fresh model's,
    published by tools/publish_model.py."""
    folder = tmp_path_factory.mktemp('weights')
    model = mmmoga.get_model('moganet_xt_in1k')
    state_dict = {k: v + 0.5 if v.is_floating_point() else v
                  for k, v in model.state_dict().items()}
    trained = folder / 'epoch_1.pth'
    torch.save(dict(state_dict=state_dict, optimizer=dict(state={}),
                    meta=dict(dataset_meta=dict(classes=CLASSES))),
               trained)
    result = run_tool(sys.executable, 'tools/publish_model.py', str(trained),
                      str(folder / 'moganet_xt.pth'))
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout, folder, state_dict


def test_publish_keeps_weights_and_meta_and_names_the_hash(
        classifier_checkpoint):
    stdout, folder, state_dict = classifier_checkpoint
    [published] = folder.glob('moganet_xt-*.pth')
    sha256 = hashlib.sha256(published.read_bytes()).hexdigest()
    assert published.name == f'moganet_xt-{sha256[:8]}.pth'
    assert f'Weights SHA-256: {sha256}' in stdout
    assert 'left out optimizer' in stdout
    saved = torch.load(published, weights_only=True)
    assert set(saved) == {'meta', 'state_dict'}
    assert all(torch.equal(saved['state_dict'][k], v)
               for k, v in state_dict.items())


def test_get_model_loads_a_file_and_its_class_names(classifier_checkpoint):
    _, folder, state_dict = classifier_checkpoint
    [published] = folder.glob('moganet_xt-*.pth')
    model = mmmoga.get_model('moganet_xt_in1k', pretrained=str(published))
    assert all(torch.equal(model.state_dict()[k], v)
               for k, v in state_dict.items())
    assert model.dataset_meta['classes'] == CLASSES


@pytest.fixture
def released(classifier_checkpoint, tmp_path, monkeypatch):
    """moganet_xt_in1k's index entry pointing at the published file (a
    file:// URL, which torch's downloader opens like https://), with torch's
    hub folder in tmp_path. Returns a function that sets the recorded hash
    and the file's true hash."""
    _, folder, _ = classifier_checkpoint
    [published] = folder.glob('moganet_xt-*.pth')
    sha256 = hashlib.sha256(published.read_bytes()).hexdigest()
    monkeypatch.setenv('TORCH_HOME', str(tmp_path))
    models = dict(models_by_name._models())

    def record(recorded_sha256):
        models['moganet_xt_in1k'] = models['moganet_xt_in1k']._replace(
            weights=published.as_uri(), weights_sha256=recorded_sha256)
        monkeypatch.setattr(models_by_name, '_models', lambda: models)
        return tmp_path / 'hub' / 'checkpoints' / published.name

    return record, sha256


def test_released_weights_are_downloaded_and_checked(released):
    record, sha256 = released
    downloaded = record(sha256.upper())
    model = mmmoga.get_model('moganet_xt_in1k', pretrained=True)
    assert downloaded.is_file()
    assert model.dataset_meta['classes'] == CLASSES


def test_a_hash_mismatch_deletes_the_download(released):
    record, sha256 = released
    downloaded = record('0' * 64)
    with pytest.raises(CheckpointError, match=f'SHA-256 {sha256}, not 0000'):
        mmmoga.get_model('moganet_xt_in1k', pretrained=True)
    assert not downloaded.exists()


def test_weights_without_a_recorded_hash_are_not_loaded(released):
    record, sha256 = released
    downloaded = record(None)
    with pytest.raises(CheckpointError, match=f'records no SHA-256.*'
                       f'{sha256}.*pretrained=.*{downloaded.name}'):
        mmmoga.get_model('moganet_xt_in1k', pretrained=True)


@pytest.mark.usefixtures('restore_default_scope')  # inferencers switch it
def test_inferencer_of_the_task_library(classifier_checkpoint):
    from mmpretrain.apis import ImageClassificationInferencer
    _, folder, _ = classifier_checkpoint
    [published] = folder.glob('moganet_xt-*.pth')
    inferencer = mmmoga.get_inferencer('moganet_xt_in1k',
                                       pretrained=str(published))
    assert isinstance(inferencer, ImageClassificationInferencer)
    [result] = inferencer(torch.randint(0, 255, (64, 64, 3),
                                        dtype=torch.uint8).numpy())
    assert result['pred_class'] == CLASSES[result['pred_label']]


# Classification: above. Segmentation is left out for the suite's time: its
# inferencer is built the same way as the detector's (model=the config).
LIBRARY_INFERENCERS = {'det': 'DetInferencer', 'pose': 'MMPoseInferencer'}


@pytest.mark.slow
@pytest.mark.usefixtures('restore_default_scope')
@pytest.mark.parametrize('task', sorted(LIBRARY_INFERENCERS))
def test_inferencer_of_each_task_library(task, toy_data, trained_toy,
                                         tmp_path):
    """The toy model of each task, trained by tools/train.py, predicts
    through its library's inferencer."""
    from toy_tasks import TOY_TASKS
    toy = TOY_TASKS[task]
    work_dir, _ = trained_toy(task)
    inferencer = mmmoga.get_inferencer(
        toy.config, pretrained=os.path.join(work_dir, toy.checkpoint))
    assert type(inferencer).__name__ == LIBRARY_INFERENCERS[task]
    image = sorted(
        glob.glob(os.path.join(toy_data(task), toy.train_images, '*.jpg')))[0]
    result = inferencer(image, out_dir=str(tmp_path))
    if task == 'pose':  # MMPoseInferencer yields a result per image
        result = next(result)
    [found] = result['predictions']  # the objects or people in the image
    assert len(found) > 0
