"""Converts an official MogaNet checkpoint for one of our configs.

    # ImageNet .pth.tar -> MMPretrain classifier (EMA weights where the run
    # kept them) or a backbone for init_cfg=dict(type='Pretrained', ...)
    python tools/convert_checkpoint.py \\
        moganet_small_sz224_8xbs128_ep300.pth.tar moganet_s_in1k.pth \\
        --config configs/cls/moganet_s_in1k.py --weights ema
    # ... and a folder for the Hugging Face Hub (timm's config.json,
    # model.safetensors, a model card)
    python tools/convert_checkpoint.py \\
        moganet_small_sz224_8xbs128_ep300.pth.tar moganet_s_in1k.pth \\
        --config configs/cls/moganet_s_in1k.py --hf-dir moganet_small_in1k
    python tools/convert_checkpoint.py \\
        moganet_small_sz224_8xbs128_ep300.pth.tar moganet_s_backbone.pth \\
        --config configs/cls/moganet_s_in1k.py --part backbone

    # released MMDetection 2.x / MMSegmentation 0.x / MMPose 0.x models
    python tools/convert_checkpoint.py \\
        mask_rcnn_moganet_small_fpn_1x_coco.pth \\
        mask_rcnn_moga_s.pth --config configs/det/mask_rcnn_moga_s.py

The layout of the source is told from its keys (``--source`` names it).
The converted weights must fill every tensor of the config's model (or of
its backbone, with ``--part backbone``) with the right shape and leave
nothing over; otherwise nothing is written and one error lists the keys.
"""
import os.path as osp

import torch

from mmmoga.apis import load_config, report_errors
from mmmoga.apis.run.cli import (
    ToolArgumentParser,
    add_cfg_options_argument,
    prepare_output_file,
)
from mmmoga.apis.run.hub_folder import write_hub_folder
from mmmoga.checkpoint import (
    SOURCE_NAMES,
    SOURCES,
    convert_official_checkpoint,
    load_checkpoint_file,
)
from mmmoga.engine import build_config_model
from mmmoga.errors import ConfigCheckError
from mmmoga.version import __version__

TRUST_HELP = (
    'load SRC with full unpickling (torch.load weights_only=False) when '
    'safe loading refuses it. Unpickling runs whatever code the file '
    'carries, with your permissions: pass this only for a file from a '
    'source you trust (e.g. the official release, checksum verified). '
    'Without it, only tensors, plain containers and an allow-list of '
    'classes (numpy arrays, argparse.Namespace, mmengine log buffers) load')


def parse_args():
    parser = ToolArgumentParser(
        description='Convert an official MogaNet checkpoint (ImageNet, '
        'MMDetection 2.x, MMSegmentation 0.x, MMPose 0.x) for an mmmoga '
        'config')
    parser.add_argument('src', help='official checkpoint file')
    parser.add_argument('dst', help='where to write the converted checkpoint')
    parser.add_argument(
        '--config', required=True,
        help='the mmmoga config the weights are for (its model is built to '
        'check every key and shape)')
    parser.add_argument(
        '--source', choices=['auto', *SOURCES], default='auto',
        help='layout of SRC; auto tells it from the keys')
    parser.add_argument(
        '--part', choices=['model', 'backbone'], default='model',
        help="model: the whole model; backbone: only backbone.* (for "
        "init_cfg=dict(type='Pretrained', checkpoint=DST, "
        "prefix='backbone.'))")
    parser.add_argument(
        '--weights', choices=['plain', 'ema'], default='plain',
        help='ImageNet checkpoints: the trained weights or their EMA '
        '(state_dict_ema, kept for MogaNet-S and larger)')
    parser.add_argument(
        '--hf-dir', metavar='DIR',
        help='also write a Hugging Face Hub folder here (model.safetensors, '
        'README.md, config.json for timm or config.py); with --part model')
    parser.add_argument('--trust', action='store_true', help=TRUST_HELP)
    add_cfg_options_argument(parser)
    return parser.parse_args()


def main():
    args = parse_args()
    if args.hf_dir and args.part != 'model':
        raise ConfigCheckError('--hf-dir publishes a whole model: it needs '
                               '--part model')
    prepare_output_file(args.dst, 'the converted checkpoint')
    cfg = load_config(args.config, args.cfg_options)
    checkpoint = load_checkpoint_file(args.src, trust=args.trust)
    model = build_config_model(cfg)
    result = convert_official_checkpoint(
        checkpoint, model, target=args.config, source=args.source,
        part=args.part, weights=args.weights, name=args.src)
    # Loads strictly, as the tools and init_cfg will load it.
    if args.part == 'model':
        model.load_state_dict(result.state_dict, strict=True)
    else:
        model.backbone.load_state_dict(
            {k[len('backbone.'):]: v for k, v in result.state_dict.items()},
            strict=True)

    meta = dict(
        converted_by=f'mmmoga {__version__} tools/convert_checkpoint.py',
        source_file=osp.basename(args.src),
        source_layout=SOURCE_NAMES[result.source],
        weights=args.weights, part=args.part,
        config=osp.basename(args.config))
    if result.dataset_meta:
        meta['dataset_meta'] = result.dataset_meta
    torch.save(dict(meta=meta, state_dict=result.state_dict), args.dst)

    source = SOURCE_NAMES[result.source]
    what = (f'all {len(result.state_dict)} tensors of its backbone'
            if args.part == 'backbone' else
            f'all {len(result.state_dict)} tensors of the model')
    print(f'{args.src}: {source} checkpoint, {args.weights} weights')
    print(f'converted for {args.config} ({type(model).__name__}): {what}, '
          f'each with its shape; {result.renamed} keys renamed'
          + (f', {result.dropped} head tensors left out' if result.dropped
             else ''))
    if result.dataset_meta:
        print(f"kept {len(result.dataset_meta.get('classes', []))} class "
              'names as dataset_meta')
    print(f'wrote {args.dst}')
    if args.hf_dir:
        converted = dict(meta=meta, state_dict=result.state_dict)
        folder = write_hub_folder(converted, cfg, args.hf_dir)
        print('\n'.join(folder.summary()))


if __name__ == '__main__':
    report_errors(main)
