"""Hub-ready folders (mmmoga.apis.run.hub_folder) and safetensors weights:
a classifier's folder loads in timm (``local-dir:``) and in
``mmmoga.get_model``, with the same outputs; any other model's folder keeps
its keys and its config; the card records the file's SHA-256."""
import json
import os.path as osp

import numpy as np
import pytest
import timm
import torch

from helpers import REPO
from mmmoga.apis import get_model, load_config
from mmmoga.apis.run.hub_folder import write_hub_folder
from mmmoga.checkpoint import file_sha256, load_checkpoint_file
from mmmoga.engine import build_config_model
from mmmoga.errors import CheckpointError, CheckpointLayoutError
from mmmoga.toy_data import CLS_CLASSES

CLS_TOY = osp.join(REPO, 'configs', 'cls', 'toy', 'moganet_xt_toy.py')
SEG_TOY = osp.join(REPO, 'configs', 'seg', 'toy', 'upernet_moga_xt_toy.py')


@pytest.fixture(scope='module')
def classifier_folder(tmp_path_factory):
    """The toy classifier, its weights drawn at random, published as a
    folder; with its input batch and its logits."""
    torch.manual_seed(0)
    cfg = load_config(CLS_TOY)
    model = build_config_model(cfg).eval()
    folder = str(tmp_path_factory.mktemp('hub') / 'moganet_xt_toy')
    checkpoint = dict(state_dict=model.state_dict(),
                      meta=dict(dataset_meta=dict(classes=CLS_CLASSES)))
    written = write_hub_folder(checkpoint, cfg, folder)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        logits = model(x, mode='tensor')
    return written, x, logits


def test_classifier_folder_is_a_timm_model(classifier_folder):
    written, _, _ = classifier_folder
    assert written.architecture == 'moganet_xtiny'
    assert written.files == ['README.md', 'config.json', 'model.safetensors']
    with open(osp.join(written.path, 'config.json')) as file:
        config = json.load(file)
    assert config['architecture'] == 'moganet_xtiny'
    assert config['num_classes'] == len(CLS_CLASSES)
    assert config['label_names'] == list(CLS_CLASSES)
    preprocessing = config['pretrained_cfg']
    # The toy test pipeline: short side to 71, centre crop 64, bicubic.
    assert preprocessing['input_size'] == [3, 64, 64]
    assert preprocessing['crop_pct'] == round(64 / 71, 4)
    assert preprocessing['interpolation'] == 'bicubic'
    assert preprocessing['mean'] == [0.485, 0.456, 0.406]
    assert preprocessing['first_conv'] == 'patch_embed1.projection.0'


def test_card_records_the_sha256_and_how_to_load(classifier_folder):
    written, _, _ = classifier_folder
    weights = osp.join(written.path, 'model.safetensors')
    assert written.sha256 == file_sha256(weights)
    with open(osp.join(written.path, 'README.md')) as file:
        card = file.read()
    assert card.startswith('---\nlicense: apache-2.0\nlibrary_name: timm\n')
    assert f'SHA-256 `{written.sha256}`' in card
    assert "timm.create_model('local-dir:" in card
    assert "mmmoga.get_model('moganet_xt_toy'" in card
    assert '@inproceedings{iclr2024MogaNet' in card
    assert 'circle, square, triangle' in card


def test_timm_local_dir_and_get_model_give_the_same_logits(
        classifier_folder):
    written, x, logits = classifier_folder
    timm_model = timm.create_model(f'local-dir:{written.path}',
                                   pretrained=True).eval()
    assert timm_model.pretrained_cfg['label_names'] == list(CLS_CLASSES)
    ours = get_model(CLS_TOY, pretrained=written.path)
    assert ours.dataset_meta['classes'] == list(CLS_CLASSES)
    with torch.no_grad():
        torch.testing.assert_close(timm_model(x), logits)
        torch.testing.assert_close(ours(x, mode='tensor'), logits)


def test_safetensors_file_holds_tensors_and_meta_only(classifier_folder):
    written, _, _ = classifier_folder
    path = osp.join(written.path, 'model.safetensors')
    with open(path, 'rb') as file:
        header_size = int.from_bytes(file.read(8), 'little')
        header = json.loads(file.read(header_size))
    metadata = header.pop('__metadata__')
    assert set(metadata) == {'format', 'mmmoga_meta'}
    assert all(set(entry) == {'dtype', 'shape', 'data_offsets'}
               for entry in header.values())
    checkpoint = load_checkpoint_file(path)
    assert checkpoint['meta']['dataset_meta']['classes'] == list(CLS_CLASSES)
    assert 'patch_embed1.projection.0.weight' in checkpoint['state_dict']


@pytest.fixture(scope='module')
def segmentor_weights():
    return build_config_model(load_config(SEG_TOY)).state_dict()


def test_other_models_keep_their_keys_and_config(segmentor_weights,
                                                 tmp_path):
    cfg = load_config(SEG_TOY)
    state_dict = segmentor_weights
    # A dataset meta as the libraries keep it, numpy values included.
    meta = dict(dataset_meta=dict(classes=('a', 'b'),
                                  palette=np.array([[1, 2, 3], [4, 5, 6]])))
    written = write_hub_folder(dict(state_dict=state_dict, meta=meta), cfg,
                               str(tmp_path / 'seg'))
    assert written.architecture is None
    assert written.files == ['README.md', 'config.py', 'model.safetensors']
    checkpoint = load_checkpoint_file(
        osp.join(written.path, 'model.safetensors'))
    assert checkpoint['meta']['dataset_meta'] == dict(
        classes=['a', 'b'], palette=[[1, 2, 3], [4, 5, 6]])
    loaded = checkpoint['state_dict']
    assert set(loaded) == set(state_dict)  # safetensors sorts the names
    for key, value in state_dict.items():
        assert torch.equal(loaded[key], value), key
    with open(osp.join(written.path, 'README.md')) as file:
        card = file.read()
    assert 'library_name: mmmoga' in card and 'timm' not in card
    assert load_config(osp.join(written.path, 'config.py')).model == cfg.model


def test_refusals_write_nothing(classifier_folder, segmentor_weights,
                                tmp_path):
    written, _, _ = classifier_folder
    cfg = load_config(CLS_TOY)
    with pytest.raises(CheckpointError, match='already holds files'):
        write_hub_folder(dict(state_dict={}), cfg, written.path)
    with pytest.raises(CheckpointLayoutError, match='not an image '
                       'classifier with a MogaNet backbone'):
        write_hub_folder(dict(state_dict=segmentor_weights), cfg,
                         str(tmp_path / 'wrong'))
    assert not osp.exists(tmp_path / 'wrong')
