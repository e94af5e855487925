"""Converts a trained checkpoint to MogaNet's deploy mode.

    python tools/reparameterize_model.py configs/det/mask_rcnn_moga_s.py \\
        epoch_12.pth mask_rcnn_moga_s_deploy.pth
    python tools/test.py configs/det/mask_rcnn_moga_s.py \\
        mask_rcnn_moga_s_deploy.pth --cfg-options model.backbone.deploy=True

The checkpoint (of the plain structure, as tools/train.py saves it) is
loaded strictly into the config's model, every MogaNet in it is folded for
inference (``MogaNet.switch_to_deploy``), and the result is checked before
it is written: it must load strictly into the config's model built with
``deploy=True``, and each backbone's outputs on a random image must equal
those of the plain one. Everything else in the model (necks, heads) is kept
as it is; the meta data (class names, palette) is carried over.
"""
import argparse
import copy
import os.path as osp

import torch
from mmengine.config import DictAction

from mmmoga.models import (is_deployed_state_dict, moganet_configs,
                           switch_model_to_deploy)
from mmmoga.utils import (CheckpointLayoutError, ConfigCheckError,
                          build_config_model, load_checkpoint_file,
                          load_config)
from mmmoga.utils.official_checkpoints import check_against_model
from mmmoga.version import __version__

# Largest difference between the plain and the deployed backbone outputs,
# relative to the largest output, that still counts as the same model
# (folding only reorders float32 arithmetic).
TOLERANCE = 1e-4


def parse_args():
    parser = argparse.ArgumentParser(
        description='Fold a trained MogaNet model for inference (deploy '
        'mode)')
    parser.add_argument('config', help='the config the checkpoint was '
                        'trained with')
    parser.add_argument('checkpoint', help='checkpoint of the plain model')
    parser.add_argument('out', help='where to write the deployed checkpoint')
    parser.add_argument(
        '--check-size', type=int, default=224,
        help='side of the random image the outputs are compared on')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. model.head.num_classes=10')
    return parser.parse_args()


def load_state_dict(path):
    checkpoint = load_checkpoint_file(path)
    state_dict = checkpoint.get('state_dict', checkpoint)
    if is_deployed_state_dict(state_dict):
        raise ConfigCheckError(f'{path} is deployed already (its MogaNet '
                               'weights are folded)')
    return checkpoint, state_dict


@torch.no_grad()
def largest_difference(plain, deployed, names, size):
    """Largest output difference of each backbone, relative to the largest
    plain output."""
    differences = {}
    generator = torch.Generator().manual_seed(0)
    for name in names:
        plain_backbone = plain.get_submodule(name)
        deployed_backbone = deployed.get_submodule(name)
        image = torch.rand(1, plain_backbone.in_channels, size, size,
                           generator=generator)
        expected = plain_backbone(image)
        outputs = deployed_backbone(image)
        scale = max(out.abs().max().item() for out in expected)
        differences[name] = max(
            (out - exp).abs().max().item()
            for out, exp in zip(outputs, expected)) / max(scale, 1.)
    return differences


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    backbone_configs = moganet_configs(cfg.model)
    if not backbone_configs:
        raise ConfigCheckError(f'the model of {args.config} has no MogaNet')
    checkpoint, state_dict = load_state_dict(args.checkpoint)

    model = build_config_model(cfg)
    check_against_model(state_dict, model.state_dict(), target=args.config,
                        weights_name=f'the weights of {args.checkpoint}')
    model.load_state_dict(state_dict, strict=True)
    model.eval()
    plain = copy.deepcopy(model)
    names = switch_model_to_deploy(model)

    # The written weights must fit the structure deploy=True builds.
    for _, backbone_cfg in backbone_configs:
        backbone_cfg['deploy'] = True
    deployed = build_config_model(cfg)
    deployed.load_state_dict(model.state_dict(), strict=True)
    deployed.eval()
    differences = largest_difference(plain, deployed, names, args.check_size)
    for name, difference in differences.items():
        if not difference <= TOLERANCE:
            raise ConfigCheckError(
                f'{name}: the deployed outputs differ from the plain ones by '
                f'{difference:.2e} of the largest output (allowed: '
                f'{TOLERANCE:.0e}); nothing written')

    meta = dict(checkpoint.get('meta') or {})
    meta.update(
        moganet_deploy=True,
        deployed_by=f'mmmoga {__version__} tools/reparameterize_model.py',
        deployed_from=osp.basename(args.checkpoint))
    torch.save(dict(meta=meta, state_dict=model.state_dict()), args.out)
    for name, difference in differences.items():
        print(f'{name or "the model"}: folded for deploy mode; outputs on a random '
              f'{args.check_size}x{args.check_size} image equal the plain '
              f'model\'s within {difference:.1e} of the largest output')
    options = ' '.join(f'{path}.deploy=True' for path, _ in backbone_configs)
    print(f'wrote {args.out}; test it with\n  python tools/test.py '
          f'{args.config} {args.out} --cfg-options {options}')


if __name__ == '__main__':
    try:
        main()
    except (ConfigCheckError, CheckpointLayoutError) as error:
        raise SystemExit(f'error: {error}') from None
