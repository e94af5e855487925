"""DINO and Mask2Former (detection and segmentation) at their smallest size,
MogaNet-S, on the toy data, as a user with their own data would run them:
tools/dataset_config.py writes the config (classes, class counts, the
"no object" weights, paths), tools/train.py trains one iteration, saves
the checkpoint and validates it with the task's metric (tools/test.py runs
the same loop; tests/test_dataset_config.py runs it on written configs).
The zoo recipes train at
800-1333 pixels (DINO), on 1024x1024 crops (Mask2Former instance) or
512x512 crops (ADE20K); a small config over the written one sets the toy
images' size, so that the CPU run takes seconds."""
import sys

import pytest

from helpers import run_tools

pytestmark = pytest.mark.slow
PY = sys.executable
SEG_CLASSES = 'circle,square,triangle,stripes,checks,dots'

# The toy images are about 330x300 (det) and 200x136 (seg).
DET_TEST_PIPELINE = """[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',
                                         'img_shape', 'scale_factor'))]"""
SMALL = {
    'dino': """
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=(256, 256), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs')]
""",
    'mask2former_det': """
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='RandomResize', scale=(256, 256), ratio_range=(0.5, 1.5),
         resize_type='Resize', keep_ratio=True),
    dict(type='RandomCrop', crop_size=(256, 256), crop_type='absolute',
         recompute_bbox=True, allow_negative_crop=True),
    dict(type='FilterAnnotations', min_gt_bbox_wh=(1e-5, 1e-5),
         by_mask=True),
    dict(type='PackDetInputs')]
model = dict(data_preprocessor=dict(batch_augments=[
    dict(type='BatchFixedSizePad', size=(256, 256), img_pad_value=0,
         pad_mask=True, mask_pad_value=0, pad_seg=False)]))
""",
    'mask2former_seg': """
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='RandomCrop', crop_size=(128, 128), cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')]
model = dict(data_preprocessor=dict(size=(128, 128)))
""",
}
# name -> (zoo config, toy task, dataset_config options, checkpoint, metric)
RUNS = {
    'dino': ('configs/det/dino_4scale_moga_s.py', 'det', ['--epochs', '1'],
             'epoch_1.pth', 'coco/bbox_mAP'),
    'mask2former_det': ('configs/det/mask2former_moga_s_lsj_50e.py', 'det',
                        ['--iters', '1'], 'iter_1.pth', 'coco/segm_mAP'),
    'mask2former_seg': ('configs/seg/mask2former_moga_s.py', 'seg',
                        ['--iters', '1', '--classes', SEG_CLASSES,
                         '--reduce-zero-label'], 'iter_1.pth', 'mIoU'),
}


def small_config(name, written, folder):
    """A config over ``written`` with the toy images' sizes, loading data in
    the process."""
    text = f"_base_ = '{written}'\n" + SMALL[name]
    if 'test_pipeline' not in SMALL[name]:
        text += f'test_pipeline = {DET_TEST_PIPELINE}\n'
    loader = ('num_workers=0, persistent_workers=False, '
              'dataset=dict(pipeline={}))')
    text += (f"train_dataloader = dict({loader.format('train_pipeline')}\n"
             f"val_dataloader = dict({loader.format('test_pipeline')}\n"
             'test_dataloader = val_dataloader\n')
    path = folder / f'{name}_small.py'
    path.write_text(text)
    return str(path)


@pytest.fixture(scope='module')
def results(toy_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp('query_heads')
    written = {name: str(folder / f'{name}_toy.py') for name in RUNS}
    commands = []
    for name, (config, task, options, checkpoint, _) in RUNS.items():
        work_dir = folder / name
        small = small_config(name, written[name], folder)
        # One iteration: the first two training images, one batch.
        train_options = ['--cfg-options', 'default_hooks.logger.interval=1']
        if task == 'det':
            train_options.append('train_dataloader.dataset.indices=2')
        commands += [
            [PY, 'tools/dataset_config.py', config, toy_data(task),
             '--no-pretrained', '--batch-size', '2', *options, '-o',
             written[name]],
            [PY, 'tools/train.py', small, '--work-dir', str(work_dir),
             *train_options],
        ]
    outputs = run_tools(commands)
    return {name: (*outputs[2 * i:2 * i + 2], folder / name / checkpoint)
            for i, (name, (*_, checkpoint, _)) in enumerate(RUNS.items())}


@pytest.mark.parametrize('name', sorted(RUNS))
def test_trains_and_tests_on_its_own_data(results, name):
    written, train, checkpoint = results[name]
    metric = RUNS[name][-1]
    assert written.returncode == 0, written.stderr[-3000:]
    assert train.returncode == 0, train.stderr[-3000:]
    log = train.stdout + train.stderr
    assert '[1/1]' in log and 'loss' in log, log[-3000:]
    assert checkpoint.is_file()
    assert f'{metric}:' in log  # validated after the iteration


def test_the_written_configs_set_the_class_counts(results):
    dino, det, seg = (results[name][0].stdout for name in (
        'dino', 'mask2former_det', 'mask2former_seg'))
    assert '3 classes: set in model.bbox_head.num_classes' in dino
    assert ('3 classes: set in model.panoptic_head.num_things_classes, '
            'model.panoptic_head.loss_cls.class_weight, '
            'model.panoptic_fusion_head.num_things_classes') in det
    assert ('6 classes: set in model.decode_head.num_classes, '
            'model.decode_head.loss_cls.class_weight') in seg
