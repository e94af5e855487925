"""Pretrained loading and safe checkpoint loading on torch >= 2.6."""
import argparse
import copy
import os
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.runner.checkpoint import CheckpointLoader, load_checkpoint
from torch.utils.data import DataLoader

from helpers import SMALL_ARCH
from mmmoga.checkpoint import SAFE_CHECKPOINT_GLOBALS
from mmmoga.errors import UnsafeCheckpointError
from mmmoga.models import MogaNet


def official_checkpoint(path, seed=0):
    """Writes a checkpoint shaped like an official MogaNet ImageNet release
    (timm trainer): weights plus a classifier head, epoch and argparse args."""
    torch.manual_seed(seed)
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH))
    model.init_weights()
    state_dict = dict(model.state_dict())
    for p in state_dict.values():
        if p.is_floating_point():
            p.add_(torch.randn_like(p))
    state_dict['head.weight'] = torch.randn(1000, SMALL_ARCH['embed_dims'][-1])
    state_dict['head.bias'] = torch.randn(1000)
    torch.save(
        dict(epoch=299, arch='moganet_small', state_dict=state_dict,
             args=argparse.Namespace(model='moganet_small', lr=1e-3)), path)
    return state_dict


def assert_loaded(model, state_dict, prefix=''):
    ours = model.state_dict()
    assert set(ours) == {k[len(prefix):] for k in state_dict
                         if k.startswith(prefix) and 'head.' not in k}
    for key, value in ours.items():
        assert torch.equal(value, state_dict[prefix + key]), key


def test_pretrained_official_checkpoint(tmp_path):
    path = str(tmp_path / 'moganet_small_sz224.pth.tar')
    state_dict = official_checkpoint(path)
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH),
                    init_cfg=dict(type='Pretrained', checkpoint=path))
    model.init_weights()
    assert_loaded(model, state_dict)
    # Loading is strict apart from the classifier.
    result = MogaNet(arch=copy.deepcopy(SMALL_ARCH)).load_state_dict(
        state_dict, strict=False)
    assert result.missing_keys == []
    assert result.unexpected_keys == ['head.weight', 'head.bias']


def test_pretrained_downstream_checkpoint_with_prefix(tmp_path):
    official = official_checkpoint(str(tmp_path / 'in1k.pth'))
    downstream = {f'backbone.{k}': v for k, v in official.items()
                  if not k.startswith('head.')}
    downstream['neck.lateral_convs.0.conv.weight'] = torch.randn(8, 16, 1, 1)
    downstream['roi_head.bbox_head.fc_cls.weight'] = torch.randn(81, 1024)
    path = str(tmp_path / 'mask_rcnn_moga.pth')
    torch.save(dict(state_dict=downstream, meta=dict(epoch=12)), path)
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH),
                    init_cfg=dict(type='Pretrained', checkpoint=path,
                                  prefix='backbone.'))
    model.init_weights()
    assert_loaded(model, downstream, prefix='backbone.')


def test_missing_checkpoint_file_is_named(tmp_path):
    path = str(tmp_path / 'nope.pth')
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH),
                    init_cfg=dict(type='Pretrained', checkpoint=path))
    with pytest.raises(FileNotFoundError, match='nope.pth does not exist'):
        model.init_weights()


class NotAllowListed:
    """A class no checkpoint should need."""


def _create_marker(path):
    os.makedirs(path)


class CodeRunningPayload:
    """Unpickling this would run code: it must never get that far."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return _create_marker, (self.marker, )


def test_unknown_global_is_refused_with_a_clear_error(tmp_path):
    path = str(tmp_path / 'odd.pth')
    torch.save(dict(state_dict={}, extra=NotAllowListed()), path)
    with pytest.raises(UnsafeCheckpointError) as info:
        CheckpointLoader.load_checkpoint(path)
    assert path in str(info.value)
    assert 'test_checkpoint_loading.NotAllowListed' in str(info.value)


def test_code_running_pickle_is_not_executed(tmp_path):
    marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, x=CodeRunningPayload(marker)), path)
    model = MogaNet(arch=copy.deepcopy(SMALL_ARCH),
                    init_cfg=dict(type='Pretrained', checkpoint=path))
    with pytest.raises(UnsafeCheckpointError, match='_create_marker'):
        model.init_weights()
    assert not osp.exists(marker)


class AttributeFetcher:
    """Pickles as getattr(argparse.Namespace, '__init__')."""

    def __reduce__(self):
        return getattr, (argparse.Namespace, '__init__')


def test_getattr_is_only_allowed_for_history_buffer_methods(tmp_path):
    path = str(tmp_path / 'getattr.pth')
    torch.save(dict(state_dict={}, x=AttributeFetcher()), path)
    with pytest.raises(UnsafeCheckpointError,
                       match=r"getattr\(<class 'argparse.Namespace'>"):
        CheckpointLoader.load_checkpoint(path)


class TinyClassifier(BaseModel):

    def __init__(self):
        super().__init__()
        self.backbone = MogaNet(arch=copy.deepcopy(SMALL_ARCH),
                                out_indices=(3, ))
        self.head = nn.Linear(SMALL_ARCH['embed_dims'][-1], 3)

    def forward(self, inputs, labels, mode='tensor'):
        logits = self.head(self.backbone(inputs)[0].mean(dim=(2, 3)))
        if mode == 'loss':
            return dict(loss=F.cross_entropy(logits, labels))
        return logits


def make_runner(work_dir, max_iters, **kwargs):
    torch.manual_seed(0)
    data = [(torch.randn(3, 32, 32), i % 3) for i in range(8)]
    loader = DataLoader(
        data, batch_size=4,
        collate_fn=lambda b: dict(inputs=torch.stack([x for x, _ in b]),
                                  labels=torch.tensor([y for _, y in b])))
    return Runner(
        model=TinyClassifier(),
        work_dir=work_dir,
        train_dataloader=loader,
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-3)),
        param_scheduler=dict(type='LinearLR', start_factor=0.5, by_epoch=False,
                             begin=0, end=4),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=2,
                            by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        default_scope=None,
        **kwargs)


def globals_refused_by_plain_torch(path):
    """What torch's ``weights_only`` loading refuses without mmmoga's list."""
    ours = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    try:
        return set(torch.serialization.get_unsafe_globals_in_checkpoint(path))
    finally:
        torch.serialization.add_safe_globals(ours)


@pytest.mark.slow
def test_runner_checkpoint_round_trip(tmp_path):
    runner = make_runner(str(tmp_path / 'a'), max_iters=2)
    runner.train()
    path = osp.join(runner.work_dir, 'iter_2.pth')
    # What makes the file unloadable under plain weights_only=True: without
    # the allow-list these globals would be refused.
    needed = globals_refused_by_plain_torch(path)
    allowed = {g[1] if isinstance(g, tuple) else
               f'{g.__module__}.{g.__qualname__}'
               for g in SAFE_CHECKPOINT_GLOBALS}
    assert needed and needed <= allowed, needed - allowed

    resumed = make_runner(str(tmp_path / 'b'), max_iters=4, resume=True,
                          load_from=path)
    resumed.load_or_resume()
    assert resumed.iter == 2
    saved = torch.load(path, weights_only=True)
    assert_loaded(resumed.model.backbone, saved['state_dict'], 'backbone.')
    assert resumed.optim_wrapper.optimizer.state_dict()['state'], \
        'optimizer state was not restored'
    resumed.train()
    assert resumed.iter == 4

    fresh = TinyClassifier()
    load_checkpoint(fresh, path)
    assert_loaded(fresh.backbone, saved['state_dict'], 'backbone.')
