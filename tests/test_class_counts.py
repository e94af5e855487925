"""The config check compares every head's class count with the dataset's
classes (keypoints for pose): one forgotten head is one error naming it."""
import pytest

from helpers import config_with
from mmmoga.apis import check_config
from mmmoga.errors import ConfigCheckError

pytestmark = pytest.mark.usefixtures('restore_default_scope')

CASES = [
    # A cascade has three box heads; the second one forgotten.
    ('configs/det/cascade_mask_rcnn_moga_s_ms3x.py',
     {'model.roi_head.bbox_head.1.num_classes': 20},
     r'model.roi_head.bbox_head\[1\].num_classes=20 .* does not match the '
     r"80 classes of train_dataloader.dataset \(CocoDataset's own: the "
     r"config gives it no metainfo\). For 20 classes of your own, give each "
     r"dataloader's dataset metainfo naming them \(tools/dataset_config.py "
     r".*for the dataset's 80, set it to 80$"),
    ('configs/det/toy/mask_rcnn_moga_xt_toy.py',
     {'model.roi_head.mask_head.num_classes': 80},
     'model.roi_head.mask_head.num_classes=80 .* the 3 classes of '
     r'train_dataloader.dataset \(its metainfo\)'),
    ('configs/det/toy/retinanet_moga_xt_toy.py',
     {'model.bbox_head.num_classes': 80}, 'model.bbox_head.num_classes=80'),
    ('configs/seg/toy/upernet_moga_xt_toy.py',
     {'model.auxiliary_head.num_classes': 150},
     'model.auxiliary_head.num_classes=150 .* the 6 classes'),
    ('configs/seg/upernet_moga_s.py', {'model.decode_head.num_classes': 19},
     'model.decode_head.num_classes=19 .* the 150 classes'),
    ('configs/cls/toy/moganet_xt_toy.py', {'model.head.num_classes': 1000},
     'model.head.num_classes=1000 .* the 3 classes'),
    ('configs/cls/toy/moganet_xt_toy.py',
     {'data_preprocessor.num_classes': 1000},
     '^data_preprocessor.num_classes=1000 .* the 3 classes'),
    ('configs/pose/toy/topdown_heatmap_moga_xt_toy.py',
     {'model.head.out_channels': 16},
     'model.head.out_channels=16 .* the 17 keypoints of '
     r"train_dataloader.dataset \(CocoDataset's own: the config gives it no "
     r'metainfo\). For 16 keypoints of your own'),
]


@pytest.mark.parametrize('config,overrides,match', CASES,
                         ids=[f'{c[0]}:{next(iter(c[1]))}' for c in CASES])
def test_a_forgotten_head_is_named(config, overrides, match):
    with pytest.raises(ConfigCheckError, match=match):
        check_config(config_with(config, **overrides), splits=())


@pytest.mark.parametrize('config', [
    'configs/det/cascade_mask_rcnn_moga_s_ms3x.py',
    'configs/pose/topdown_heatmap_moga_s_256x192.py'
])
def test_rpn_is_class_agnostic_and_the_configs_pass(config):
    check_config(config_with(config), splits=())
