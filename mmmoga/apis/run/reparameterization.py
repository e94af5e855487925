"""Reparameterization of whole models from a config and a checkpoint:
loading a model folded for inference, and folding a checkpoint once and for
all."""
import copy
import os.path as osp
from typing import Dict, List, NamedTuple, Sequence

import torch
from mmengine.config import Config
from torch import nn

from mmmoga.checkpoint import check_against_model, load_checkpoint_file
from mmmoga.engine import build_config_model
from mmmoga.errors import CheckpointError, ConfigCheckError, ConversionError
from mmmoga.models import (
    is_reparameterized_state_dict,
    moganet_configs,
    reparameterize_model,
)
from mmmoga.version import __version__

from .config_checks import check_backbone

# Largest difference accepted between a folded (or exported) model's outputs
# and the plain model's, relative to the largest output: float32 arithmetic
# in another order.
TOLERANCE = 1e-4


def relative_difference(outputs: Sequence[torch.Tensor],
                        expected: Sequence[torch.Tensor]) -> float:
    """Largest element-wise difference of ``outputs`` from ``expected``,
    relative to the largest expected magnitude (at least 1)."""
    scale = max(1., max(float(e.abs().max()) for e in expected))
    return max(float((torch.as_tensor(out) - exp).abs().max())
               for out, exp in zip(outputs, expected)) / scale


def require_moganet(cfg: Config,
                    purpose: str = 'deploy mode folds MogaNet backbones'):
    """The MogaNet configs of ``cfg.model``; a model without one is a
    :class:`ConfigCheckError` that says what needed one (``purpose``)."""
    found = moganet_configs(cfg.model)
    if not found:
        raise ConfigCheckError(
            f'{purpose}, but the model of {cfg.filename} has none')
    return found


def load_reparameterized_model(cfg: Config, checkpoint_path: str) -> nn.Module:
    """The config's model reparameterized and in eval mode, from a
    checkpoint of the plain structure (folded after loading) or of the
    folded one (``tools/reparameterize_model.py``). The weights must fill
    the model exactly."""
    check_backbone(cfg)
    checkpoint = load_checkpoint_file(checkpoint_path)
    state_dict = checkpoint.get('state_dict', checkpoint)
    deployed = is_reparameterized_state_dict(state_dict)
    cfg = copy.deepcopy(cfg)
    for _, backbone_cfg in require_moganet(cfg):
        backbone_cfg['deploy'] = deployed
    model = build_config_model(cfg).eval()
    check_against_model(state_dict, model.state_dict(), target=cfg.filename,
                        weights_name=f'the weights of {checkpoint_path}')
    model.load_state_dict(state_dict, strict=True)
    if not deployed:
        reparameterize_model(model)
    return model


class Reparameterized(NamedTuple):
    """A checkpoint folded (reparameterized).

    Attributes:
        checkpoint: What to save: ``meta`` (the source's, plus where it came
            from) and the folded ``state_dict``.
        differences: Backbone path in the model -> largest difference of its
            outputs from the plain backbone's, relative to the largest one.
        cfg_options: The ``--cfg-options`` that build the deployed model.
    """
    checkpoint: Dict
    differences: Dict[str, float]
    cfg_options: List[str]


@torch.no_grad()
def _backbone_differences(plain: nn.Module, deployed: nn.Module,
                          names: Sequence[str], size: int) -> Dict[str, float]:
    differences = {}
    generator = torch.Generator().manual_seed(0)
    for name in names:
        plain_backbone = plain.get_submodule(name)
        image = torch.rand(1, plain_backbone.in_channels, size, size,
                           generator=generator)
        differences[name] = relative_difference(
            deployed.get_submodule(name)(image), plain_backbone(image))
    return differences


def reparameterize_checkpoint(cfg: Config, checkpoint_path: str,
                              check_size: int = 224) -> Reparameterized:
    """Folds (reparameterizes) every MogaNet of a trained checkpoint (plain
    structure) and checks the result: it must load strictly into the
    config's model built with ``deploy=True``, and each backbone's outputs
    on a random ``check_size`` square image must equal the plain ones within
    :data:`TOLERANCE`. Necks and heads are kept as they are.

    Raises:
        CheckpointError: The checkpoint is already folded, or does not fit.
        ConversionError: The folded outputs differ.
    """
    backbone_configs = require_moganet(cfg)
    check_backbone(cfg)
    checkpoint = load_checkpoint_file(checkpoint_path)
    state_dict = checkpoint.get('state_dict', checkpoint)
    if is_reparameterized_state_dict(state_dict):
        raise CheckpointError(f'{checkpoint_path} is deployed already (its '
                              'MogaNet weights are folded)')
    model = build_config_model(cfg)
    check_against_model(state_dict, model.state_dict(),
                        target=cfg.filename,
                        weights_name=f'the weights of {checkpoint_path}')
    model.load_state_dict(state_dict, strict=True)
    model.eval()
    plain = copy.deepcopy(model)
    names = reparameterize_model(model)

    deployed_cfg = copy.deepcopy(cfg)
    for _, backbone_cfg in moganet_configs(deployed_cfg.model):
        backbone_cfg['deploy'] = True
    deployed = build_config_model(deployed_cfg)
    deployed.load_state_dict(model.state_dict(), strict=True)
    deployed.eval()
    differences = _backbone_differences(plain, deployed, names, check_size)
    for name, difference in differences.items():
        if not difference <= TOLERANCE:
            raise ConversionError(
                f'{name}: the deployed outputs differ from the plain ones by '
                f'{difference:.2e} of the largest output (allowed: '
                f'{TOLERANCE:.0e}); nothing written')
    meta = dict(checkpoint.get('meta') or {})
    meta.update(
        moganet_reparameterized=True,
        deployed_by=f'mmmoga {__version__} tools/reparameterize_model.py',
        deployed_from=osp.basename(checkpoint_path))
    return Reparameterized(
        checkpoint=dict(meta=meta, state_dict=model.state_dict()),
        differences=differences,
        cfg_options=[f'{path}.deploy=True' for path, _ in backbone_configs])
