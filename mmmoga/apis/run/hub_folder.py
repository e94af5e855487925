"""A folder to upload to the Hugging Face Hub as it is: the weights as
``model.safetensors``, what loads them, and a model card ``README.md``.

* An image classifier of a MogaNet size (a config of ``configs/cls/``)
  becomes a timm model: ``config.json`` in timm's format (``architecture``,
  ``num_classes``, ``label_names``, ``pretrained_cfg``) and the weights in
  the official key layout, so ``timm.create_model('local-dir:DIR',
  pretrained=True)`` (or ``'hf-hub:OWNER/NAME'`` once uploaded) loads it.
* Any other model (a detector, segmentor, pose estimator; a classifier of a
  custom arch) keeps its own keys, with its config beside it as
  ``config.py``, for ``tools/test.py DIR/config.py DIR/model.safetensors``.

Either way ``mmmoga.get_model(NAME_OR_CONFIG, pretrained=DIR)`` loads it.
"""
import datetime
import json
import os
import os.path as osp
from typing import Dict, List, NamedTuple, Optional

import torch

from mmmoga.checkpoint import check_against_model, file_sha256
from mmmoga.checkpoint.official import classifier_to_imagenet
from mmmoga.checkpoint.safetensors_files import HUB_WEIGHTS, write_safetensors
from mmmoga.core import MogaNet, MogaNetClassifier
from mmmoga.engine import build_config_model
from mmmoga.errors import CheckpointError
from mmmoga.model_index import Published, files_root, load_published
from mmmoga.tasks import task_of
from mmmoga.utils import json_default
from mmmoga.version import __version__

LICENSE = 'apache-2.0'
CITATION = '''@inproceedings{iclr2024MogaNet,
  title={MogaNet: Multi-order Gated Aggregation Network},
  author={Siyuan Li and Zedong Wang and Zicheng Liu and Cheng Tan and
          Haitao Lin and Di Wu and Zhiyuan Chen and Jiangbin Zheng and
          Stan Z. Li},
  booktitle={International Conference on Learning Representations},
  year={2024}
}'''
# The Hub's pipeline tag of each task.
PIPELINE_TAGS = {
    'det': 'object-detection',
    'seg': 'image-segmentation',
    'pose': 'keypoint-detection',
    'cls': 'image-classification',
}
# The timm names of the sizes (mmmoga.timm_models), by MogaNet.arch_zoo's
# entries: an alias ('s') names the same dict as the full name ('small').
TIMM_SIZES = ('xtiny', 'tiny', 'small', 'base', 'large', 'xlarge')


class HubFolder(NamedTuple):
    path: str
    sha256: str              # of model.safetensors
    architecture: Optional[str]  # the timm model, for a timm folder
    files: List[str]

    def summary(self) -> List[str]:
        """What the tools print about the folder they wrote."""
        loads = (f"timm.create_model('local-dir:{self.path}', "
                 'pretrained=True)' if self.architecture else
                 f'python tools/test.py {self.path}/config.py '
                 f'{self.path}/{HUB_WEIGHTS}')
        timm = (f' (timm model {self.architecture})'
                if self.architecture else '')
        return [
            f'wrote {self.path}/: {", ".join(self.files)}{timm}',
            f'    {HUB_WEIGHTS} SHA-256: {self.sha256}',
            f'    load it with {loads}',
        ]


def timm_architecture(cfg) -> Optional[str]:
    """``moganet_<size>`` when ``cfg`` is an image classifier that timm's
    MogaNet models are (a MogaNet size, global average pooling, one linear
    layer), else None."""
    model = cfg.model
    backbone, neck, head = (model.get(key) or {}
                            for key in ('backbone', 'neck', 'head'))
    if (model.get('type') != 'ImageClassifier'
            or backbone.get('type') not in ('MogaNet', 'mmmoga.MogaNet')
            or neck.get('type') != 'GlobalAveragePooling'
            or head.get('type') != 'LinearClsHead'
            or not isinstance(backbone.get('arch', 'tiny'), str)):
        return None
    arch = MogaNet.arch_zoo.get(backbone.get('arch', 'tiny').lower())
    for size in TIMM_SIZES:
        if MogaNet.arch_zoo[size] is arch:
            return f'moganet_{size}'
    return None


def _pretrained_cfg(cfg, num_classes: int) -> Dict:
    """timm's preprocessing settings from the config's test pipeline and
    data preprocessor: the crop, the crop ratio, the resizing, mean and
    std (in [0, 1], as timm takes them)."""
    steps = {step['type']: step for step in cfg.test_pipeline}
    crop = steps.get('CenterCrop', {}).get('crop_size', 224)
    crop = crop if isinstance(crop, int) else crop[0]
    resize = steps.get('ResizeEdge', {})
    preprocessor = cfg.get('data_preprocessor') or \
        cfg.model.get('data_preprocessor') or {}
    mean = preprocessor.get('mean', [123.675, 116.28, 103.53])
    std = preprocessor.get('std', [58.395, 57.12, 57.375])
    return dict(
        input_size=[3, crop, crop],
        crop_pct=round(crop / resize['scale'], 4) if resize else 1.0,
        crop_mode='center',
        interpolation=resize.get('interpolation', 'bicubic'),
        mean=[round(value / 255, 6) for value in mean],
        std=[round(value / 255, 6) for value in std],
        num_classes=num_classes,
        first_conv='patch_embed1.projection.0',
        classifier='head',
        license=LICENSE,
    )


def _published_entry(cfg) -> Optional[Published]:
    """The model index entry of ``cfg``'s file, if it has one."""
    filename = getattr(cfg, 'filename', None)
    if not filename:
        return None
    name = osp.splitext(osp.basename(filename))[0]
    for entry in load_published(files_root()).values():
        if entry.name == name:
            return entry
    return None


def _card(name: str, cfg, architecture: Optional[str], num_params: int,
          sha256: str, entry: Optional[Published], classes) -> str:
    task = task_of(cfg)
    library = 'timm' if architecture else 'mmmoga'
    front = [
        '---', f'license: {LICENSE}', f'library_name: {library}',
        f'pipeline_tag: {PIPELINE_TAGS[task.name]}', 'tags:', '- moganet',
        f'- {task.library.lower()}', '---'
    ]
    lines = [
        *front, '', f'# {name}', '',
        f'MogaNet for {task.title[0].lower()}{task.title[1:]}; published '
        f'with mmmoga {__version__} on '
        f'{datetime.date.today().isoformat()}.', '',
        '| | |', '|---|---|',
        f'| Parameters | {num_params:,} ({num_params / 1e6:.2f}M) |',
        f'| Weights | `{HUB_WEIGHTS}`, SHA-256 `{sha256}` |',
    ]
    if classes:
        shown = ', '.join(map(str, classes[:8]))
        more = f', ... ({len(classes)} in all)' if len(classes) > 8 else ''
        lines.append(f'| Classes | {shown}{more} |')
    if entry is not None and entry.metrics:
        metrics = ', '.join(f'{metric} {value}'
                            for metric, value in entry.metrics.items())
        lines.append(f'| Published results ({entry.name}) | {metrics} |')
    lines += ['', '## Loading it', '']
    if architecture:
        lines += [
            'With timm (`pip install timm`, then `import mmmoga` registers '
            'the MogaNet models):', '', '```python', 'import mmmoga',
            'import timm', '',
            "model = timm.create_model('local-dir:PATH/TO/THIS/FOLDER', "
            'pretrained=True)',
            "# or, once uploaded: timm.create_model('hf-hub:OWNER/NAME', "
            'pretrained=True)', '```', ''
        ]
    config = (osp.splitext(osp.basename(cfg.filename))[0]
              if getattr(cfg, 'filename', None) else 'config.py')
    lines += [
        'With mmmoga (`pip install "mmmoga[' + task.name + ']"`):', '',
        '```python', 'import mmmoga', '',
        f"model = mmmoga.get_model('{config}', "
        "pretrained='PATH/TO/THIS/FOLDER')", '```', '',
        f'`{HUB_WEIGHTS}` is a safetensors file: loading it runs no code. '
        'Check it with `sha256sum ' + HUB_WEIGHTS + '` against the hash '
        'above.', '', '## License', '',
        'Apache-2.0, as the official MogaNet code and weights.', '',
        '## Citation', '', '```bibtex', CITATION, '```', ''
    ]
    return '\n'.join(lines)


def write_hub_folder(checkpoint: Dict, cfg, out_dir: str,
                     name: Optional[str] = None) -> HubFolder:
    """Writes the folder of ``checkpoint`` (a dict with ``state_dict`` and
    optionally ``meta``, as ``tools/train.py`` saves it) for the model of
    ``cfg`` into ``out_dir``, which must not hold files yet.

    Raises:
        CheckpointError: ``out_dir`` holds files, or the weights do not fit
            the model ``cfg`` builds.
    """
    if osp.isdir(out_dir) and os.listdir(out_dir):
        raise CheckpointError(
            f'{out_dir} already holds files ({sorted(os.listdir(out_dir))[:3]}'
            '); give a new or empty folder')
    state_dict = checkpoint.get('state_dict', checkpoint)
    meta = checkpoint.get('meta') or {}
    dataset_meta = dict(meta.get('dataset_meta') or {})
    classes = list(dataset_meta.get('classes') or [])
    architecture = timm_architecture(cfg)
    name = name or (osp.splitext(osp.basename(cfg.filename))[0]
                    if getattr(cfg, 'filename', None) else 'moganet')
    files = [HUB_WEIGHTS, 'README.md']
    if architecture:
        weights = classifier_to_imagenet(state_dict, 'the checkpoint')
        num_classes = weights['head.weight'].shape[0]
        with torch.device('meta'):  # shapes only
            expected = MogaNetClassifier(architecture[len('moganet_'):],
                                         num_classes=num_classes)
        check_against_model(weights, expected.state_dict(),
                            target=f'timm model {architecture}',
                            weights_name='the converted weights')
        timm_config = dict(
            architecture=architecture,
            num_classes=num_classes,
            num_features=expected.num_features,
            global_pool='avg',
            pretrained_cfg=_pretrained_cfg(cfg, num_classes))
        backbone = cfg.model.backbone
        if backbone.get('attn_force_fp32'):
            timm_config['model_args'] = dict(attn_force_fp32=True)
        if classes:
            timm_config['label_names'] = classes
        os.makedirs(out_dir, exist_ok=True)
        with open(osp.join(out_dir, 'config.json'), 'w') as file:
            json.dump(timm_config, file, indent=2, default=json_default)
        files.append('config.json')
    else:
        weights = dict(state_dict)
        check_against_model(weights, build_config_model(cfg).state_dict(),
                            target=f'the model of {name}',
                            weights_name='the weights of the checkpoint')
        os.makedirs(out_dir, exist_ok=True)
        cfg.dump(osp.join(out_dir, 'config.py'))
        files.append('config.py')
    weights_path = osp.join(out_dir, HUB_WEIGHTS)
    write_safetensors(
        weights, weights_path,
        meta=dict(dataset_meta=dataset_meta, mmmoga_version=__version__))
    sha256 = file_sha256(weights_path)
    num_params = sum(tensor.numel() for key, tensor in weights.items()
                     if not key.endswith(('running_mean', 'running_var',
                                          'num_batches_tracked')))
    with open(osp.join(out_dir, 'README.md'), 'w') as file:
        file.write(_card(name, cfg, architecture, num_params, sha256,
                         _published_entry(cfg), classes))
    return HubFolder(out_dir, sha256, architecture, sorted(files))

