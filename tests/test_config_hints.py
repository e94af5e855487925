"""What the config checks say when the data is not where the config says:
a relative path is read from the current folder, and the message says so
and how a config of one's own points at the data."""
import os

import pytest

from helpers import config_with
from mmmoga.apis import check_dataset_paths
from mmmoga.errors import DatasetNotFoundError

TOY = 'configs/cls/toy/moganet_xt_toy.py'


def test_a_missing_relative_data_root_says_where_it_was_looked_for():
    cfg = config_with(TOY, **{
        f'{split}_dataloader.dataset.data_root': 'no/such/toy_cls/'
        for split in ('train', 'val', 'test')})
    with pytest.raises(DatasetNotFoundError) as error:
        check_dataset_paths(cfg)
    message = str(error.value)
    assert message.startswith('Dataset path no/such/toy_cls/ ')
    assert f'read from the folder you run in ({os.getcwd()})' in message
    assert "sets each dataloader's dataset.data_root" in message
    assert 'tools/make_toy_data.py cls' in message


def test_a_missing_absolute_data_root_has_no_relative_hint(tmp_path):
    cfg = config_with(TOY, **{
        f'{split}_dataloader.dataset.data_root': f'{tmp_path}/toy_cls/'
        for split in ('train', 'val', 'test')})
    with pytest.raises(DatasetNotFoundError) as error:
        check_dataset_paths(cfg)
    assert 'folder you run in' not in str(error.value)
