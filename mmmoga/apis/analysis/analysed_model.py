"""The model the analysis tools (tools/analysis/) look at: any task's
config or model name, with weights or without, plain or reparameterized."""
import argparse
from typing import Optional, Tuple

from mmengine.config import Config
from torch import nn

from mmmoga.errors import ConfigCheckError
from mmmoga.models import reparameterize_model

from ..run.cli import add_cfg_options_argument
from ..run.config import load_config
from ..run.model import config_file, model_with_weights
from ..run.reparameterization import (
    load_reparameterized_model,
    require_moganet,
)


def add_analysis_arguments(parser: argparse.ArgumentParser):
    """The arguments every analysis tool takes: the config (or model name),
    ``--shape``, ``--deploy`` and ``--cfg-options``."""
    parser.add_argument('config', help='config file or model name')
    parser.add_argument(
        '--shape', type=int, nargs=2, metavar=('HEIGHT', 'WIDTH'),
        help="input height and width (default: the zoo table's size)")
    parser.add_argument(
        '--deploy', action='store_true',
        help='MogaNet backbones in deploy mode (folded for inference)')
    add_cfg_options_argument(parser)


def analysis_model(name: str, checkpoint: Optional[str] = None,
                   deploy: bool = False,
                   cfg_options: Optional[dict] = None,
                   scope: Optional[str] = None
                   ) -> Tuple[Config, nn.Module]:
    """The config of ``name`` (a config file or a model index name) and its
    model in eval mode: with the weights of ``checkpoint`` if given (loaded
    strictly; official files converted; the class names they carry in
    ``model.dataset_meta``), and with every MogaNet reparameterized
    if ``deploy``. ``scope``, if given, is the registry scope (task
    library) the config must have.

    Raises:
        ConfigCheckError: Unknown name, unreadable config, another scope,
            or ``deploy`` for a model without MogaNet.
        CheckpointError: The weights do not fit the model.
    """
    cfg = load_config(config_file(name), cfg_options)
    if scope is not None and cfg.get('default_scope') != scope:
        raise ConfigCheckError(
            f'{name}: this tool takes {scope} configs; its default_scope is '
            f'{cfg.get("default_scope")!r}')
    if deploy:
        require_moganet(cfg, '--deploy switches MogaNet backbones to deploy '
                        'mode')
    if deploy and checkpoint:
        return cfg, load_reparameterized_model(cfg, checkpoint)
    model = model_with_weights(cfg, name, checkpoint)
    if deploy:
        reparameterize_model(model)
    return cfg, model.eval()
