"""Prepares a trained checkpoint for release, as OpenMMLab's own
``publish_model.py`` does: only ``meta`` and ``state_dict`` are kept (the
optimizer, message hub, schedulers and other training state go), and the
file is named after the first 8 hex digits of its SHA-256.

    python tools/publish_model.py work_dirs/mask_rcnn_moga_s/epoch_12.pth \\
        mask_rcnn_moga_s_coco.pth
    # -> mask_rcnn_moga_s_coco-1a2b3c4d.pth, and the metafile fields to paste

With `Weights` and `Weights SHA-256` in the model's metafile entry,
``mmmoga.get_model(name, pretrained=True)`` downloads the file and checks it
before loading it.

``--hf-dir DIR --config CONFIG`` also writes a folder to upload to the
Hugging Face Hub as it is (``mmmoga.apis.run.hub_folder``):
``model.safetensors``, a model card, and ``config.json`` for timm (a
classifier of a MogaNet size) or the config as ``config.py`` (any other
model).
"""
import os.path as osp

from mmmoga.apis import load_config, report_errors
from mmmoga.apis.run.cli import ToolArgumentParser, prepare_output_file
from mmmoga.apis.run.hub_folder import write_hub_folder
from mmmoga.checkpoint import load_checkpoint_file, publish_checkpoint
from mmmoga.errors import ConfigCheckError
from mmmoga.model_index import WEIGHTS_SHA256


def parse_args():
    parser = ToolArgumentParser(
        description='Keep only the weights and meta of a checkpoint and name '
        'it with its hash')
    parser.add_argument('checkpoint', help='a checkpoint of tools/train.py')
    parser.add_argument(
        'out', help='the published file, ending with .pth; -<hash prefix> is '
        'put before .pth')
    parser.add_argument(
        '--hf-dir', metavar='DIR',
        help='also write a Hugging Face Hub folder here (model.safetensors, '
        'README.md, config.json for timm or config.py); needs --config')
    parser.add_argument(
        '--config', help='the config the checkpoint was trained with (for '
        '--hf-dir: the model it is checked against, the card\'s numbers)')
    args = parser.parse_args()
    if args.hf_dir and not args.config:
        raise ConfigCheckError('--hf-dir needs --config, the config the '
                               'checkpoint was trained with')
    return args


def main():
    args = parse_args()
    prepare_output_file(args.out, 'the published checkpoint')
    result = publish_checkpoint(args.checkpoint, args.out)
    print(f'kept meta and the {result.tensors} tensors of state_dict'
          + (f'; left out {", ".join(result.dropped)}' if result.dropped
             else ''))
    print(f'wrote {result.path}')
    print('metafile fields of the model (put the file where users download '
          'it from):')
    print(f'    Weights: <URL of the folder>/{osp.basename(result.path)}')
    print(f'    {WEIGHTS_SHA256}: {result.sha256}')
    if args.hf_dir:
        cfg = load_config(args.config)
        folder = write_hub_folder(load_checkpoint_file(result.path), cfg,
                                  args.hf_dir)
        print('\n'.join(folder.summary()))

if __name__ == '__main__':
    report_errors(main)
