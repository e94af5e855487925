"""Reparameterization of whole models: every MogaNet inside folded at once
(MogaNet's deploy mode, ``deploy=True``)."""
from typing import Dict, List, Tuple

from torch import nn

from .backbones import MogaNet


def reparameterize_model(model: nn.Module) -> List[str]:
    """Calls :meth:`MogaNet.switch_to_deploy` on every MogaNet in ``model``
    (a detector, segmentor, pose estimator, classifier or the backbone
    itself) and returns their names.

    Raises:
        ValueError: ``model`` holds no MogaNet.
    """
    names = [name for name, module in model.named_modules()
             if isinstance(module, MogaNet)]
    if not names:
        raise ValueError(f'{type(model).__name__} has no MogaNet to switch to '
                         'deploy mode')
    for name in names:
        model.get_submodule(name).switch_to_deploy()
    return names


def moganet_configs(model_cfg, path: str = 'model') -> List[Tuple[str, Dict]]:
    """The ``type='MogaNet'`` dicts in a model config with their paths, e.g.
    ``[('model.backbone', {...})]``; set ``deploy=True`` in each to build
    the deployed structure."""
    found = []
    if isinstance(model_cfg, dict):
        if model_cfg.get('type') in ('MogaNet', MogaNet):
            found.append((path, model_cfg))
        for key, value in model_cfg.items():
            found += moganet_configs(value, f'{path}.{key}')
    elif isinstance(model_cfg, (list, tuple)):
        for index, value in enumerate(model_cfg):
            found += moganet_configs(value, f'{path}[{index}]')
    return found
