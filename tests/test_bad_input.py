"""Every tool, every bad input: a non-zero exit and one last line that
starts with ``error:`` and names what is wrong, without a traceback. Add a
case here whenever a tool or an option lands."""
import datetime
import json
import pathlib
import shutil
import sys
from typing import Callable, List, NamedTuple

import pytest
import torch

from helpers import build_from_config, run_tool, run_tools
from toy_tasks import TOY_TASKS, short_run_options

pytestmark = pytest.mark.slow
PY = sys.executable


class Files(NamedTuple):
    """The bad (and good) inputs the cases use."""
    cls_checkpoint: str  # the classification toy model's weights
    det_checkpoint: str  # the detection toy model's weights
    truncated: str  # the classification checkpoint cut short
    random_bytes: str
    empty: str
    folder: str
    unsafe: str  # a pickle that needs a global outside the allow-list
    not_python: str  # a config that is not valid Python
    text_config: str  # a config file mmengine does not read
    a_file: str  # a plain file where a folder is expected
    images: str  # two images, a text file and a broken JPEG
    no_images: str  # an empty folder
    cut_json: str  # the detection toy data with a cut annotation file
    cls_data: str
    seg_data: str
    missing_base: str  # a config whose base names no config of ours
    text_video: str  # a text file named .mp4


@pytest.fixture(scope='module')
def files(tmp_path_factory, toy_data):
    root = tmp_path_factory.mktemp('bad_input')
    paths = {}
    for task in ('cls', 'det'):
        _, model = build_from_config(TOY_TASKS[task].config)
        paths[f'{task}_checkpoint'] = str(root / f'{task}.pth')
        torch.save(dict(state_dict=model.state_dict()),
                   paths[f'{task}_checkpoint'])
    data = (root / 'cls.pth').read_bytes()
    (root / 'truncated.pth').write_bytes(data[:len(data) // 2])
    (root / 'random.pth').write_bytes(bytes(range(256)) * 40)
    (root / 'empty.pth').write_bytes(b'')
    (root / 'folder.pth').mkdir()
    torch.save(dict(state_dict={}, meta=dict(date=datetime.date(2026, 1, 1))),
               root / 'unsafe.pth')
    (root / 'not_python.py').write_text('model = dict(type="MogaNet"\n')
    (root / 'clip.mp4').write_text('not a video\n')
    (root / 'config.txt').write_text('model = dict()\n')
    (root / 'missing_base.py').write_text(
        "_base_ = 'mmmoga::det/mask_rcnn_moga_m.py'\n")
    (root / 'a_file').write_text('not a folder\n')
    images = root / 'images'
    images.mkdir()
    cls_root = toy_data('cls')
    for index, image in enumerate(
            sorted(pathlib.Path(cls_root).rglob('*.jpg'))[:2]):
        shutil.copy(image, images / f'image_{index}.jpg')
    (images / 'notes.txt').write_text('not an image\n')
    broken = (images / 'image_0.jpg').read_bytes()
    (images / 'broken.jpg').write_bytes(broken[:len(broken) // 3])
    (root / 'no_images').mkdir()
    det_root = root / 'det_copy'
    shutil.copytree(toy_data('det'), det_root)
    annotations = det_root / 'annotations' / 'instances_train.json'
    text = annotations.read_text()
    annotations.write_text(text[:len(text) // 2])
    return Files(**{key: str(value) for key, value in paths.items()},
                 truncated=str(root / 'truncated.pth'),
                 random_bytes=str(root / 'random.pth'),
                 empty=str(root / 'empty.pth'),
                 folder=str(root / 'folder.pth'),
                 unsafe=str(root / 'unsafe.pth'),
                 not_python=str(root / 'not_python.py'),
                 text_config=str(root / 'config.txt'),
                 a_file=str(root / 'a_file'), images=str(images),
                 no_images=str(root / 'no_images'), cut_json=str(det_root),
                 cls_data=cls_root, seg_data=toy_data('seg'),
                 missing_base=str(root / 'missing_base.py'),
                 text_video=str(root / 'clip.mp4'))


CLS = TOY_TASKS['cls'].config
SEG = TOY_TASKS['seg'].config
DET = TOY_TASKS['det'].config
POSE = TOY_TASKS['pose'].config


class Case(NamedTuple):
    """A command (given the :class:`Files`) and what its error names."""
    name: str
    command: Callable[[Files], List[str]]
    error: str


CASES = [
    # A checkpoint of another task is refused where a result depends on it.
    Case('test with another task\'s checkpoint',
         lambda f: [PY, 'tools/test.py', SEG, f.det_checkpoint,
                    *short_run_options('seg', f.seg_data)],
         'do not fit the model of'),
    Case('infer with another task\'s checkpoint',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', CLS,
                    '--checkpoint', f.det_checkpoint],
         'do not fit the model of'),
    # One diagnosis of a checkpoint file, shared by every tool.
    Case('test with a truncated checkpoint',
         lambda f: [PY, 'tools/test.py', CLS, f.truncated],
         'not a complete checkpoint'),
    Case('test with random bytes',
         lambda f: [PY, 'tools/test.py', CLS, f.random_bytes],
         'not a PyTorch checkpoint'),
    Case('test with an empty checkpoint',
         lambda f: [PY, 'tools/test.py', CLS, f.empty], 'empty file'),
    Case('test with a folder as the checkpoint',
         lambda f: [PY, 'tools/test.py', CLS, f.folder], 'a directory'),
    Case('export with random bytes',
         lambda f: [PY, 'tools/export_onnx.py', CLS, f.random_bytes,
                    f.a_file + '.onnx'], 'not a PyTorch checkpoint'),
    Case('reparameterize a truncated checkpoint',
         lambda f: [PY, 'tools/reparameterize_model.py', CLS, f.truncated,
                    f.a_file + '.pth'], 'not a complete checkpoint'),
    Case('convert random bytes',
         lambda f: [PY, 'tools/convert_checkpoint.py', f.random_bytes,
                    f.a_file + '.pth', '--config', CLS],
         'not a PyTorch checkpoint'),
    Case('convert a pickle that needs a global outside the allow-list',
         lambda f: [PY, 'tools/convert_checkpoint.py', f.unsafe,
                    f.a_file + '.pth', '--config', CLS], '--trust'),
    # Config mistakes.
    Case('a misspelt MogaNet argument',
         lambda f: [PY, 'tools/train.py', CLS, '--cfg-options',
                    'model.backbone.archh=s'], "did you mean 'arch'"),
    Case('a --cfg-options item without =',
         lambda f: [PY, 'tools/train.py', CLS, '--cfg-options',
                    'train_cfg.max_epochs'], 'expected KEY=VALUE'),
    Case('a runner type nobody registered',
         lambda f: [PY, 'tools/test.py', CLS, f.cls_checkpoint,
                    '--cfg-options', 'runner_type=NoSuchRunner',
                    *short_run_options('cls', f.cls_data)],
         "runner_type='NoSuchRunner' is not a registered runner"),
    Case('a config that is not Python',
         lambda f: [PY, 'tools/train.py', f.not_python], 'not valid Python'),
    Case('a base of ours that does not exist',
         lambda f: [PY, 'tools/train.py', f.missing_base],
         'det/mask_rcnn_moga_m.py'),
    Case('a config mmengine does not read',
         lambda f: [PY, 'tools/test.py', f.text_config, f.cls_checkpoint],
         'mmengine reads'),
    Case('an annotation file cut short',
         lambda f: [PY, 'tools/train.py', DET,
                    *short_run_options('det', f.cut_json)],
         'is not valid JSON'),
    Case('a work dir that is a file',
         lambda f: [PY, 'tools/train.py', CLS, '--work-dir', f.a_file,
                    *short_run_options('cls', f.cls_data)],
         'a_file: File exists'),
    Case('test --out that is not a pickle',
         lambda f: [PY, 'tools/test.py', CLS, f.cls_checkpoint, '--out',
                    'preds.txt'], '--out must be a .pkl'),
    Case('an ONNX file that is a folder',
         lambda f: [PY, 'tools/export_onnx.py', CLS, f.cls_checkpoint,
                    f.folder], 'is a directory'),
    # Quantization.
    Case('quantize for a backend nobody runs',
         lambda f: [PY, 'tools/quantize.py', CLS, f.cls_checkpoint,
                    f.a_file + '.onnx', '--backend', 'tensorrt'],
         "invalid choice: 'tensorrt'"),
    Case('quantize on no calibration image',
         lambda f: [PY, 'tools/quantize.py', CLS, f.cls_checkpoint,
                    f.a_file + '.onnx', '--backend', 'onnxruntime',
                    '--calib-images', '0'],
         '--calib-images: must be at least 1, got 0'),
    Case('bfloat16 in ONNX Runtime',
         lambda f: [PY, 'tools/quantize.py', CLS, f.cls_checkpoint,
                    f.a_file + '.onnx', '--backend', 'onnxruntime',
                    '--precision', 'bf16'],
         '--precision bf16 is an OpenVINO precision'),
    Case('an OpenVINO model into an .onnx name',
         lambda f: [PY, 'tools/quantize.py', CLS, f.cls_checkpoint,
                    f.a_file + '.onnx', '--backend', 'openvino'],
         '--backend openvino writes a .xml file'),
    Case('quantize with the training set missing',
         lambda f: [PY, 'tools/quantize.py', CLS, f.cls_checkpoint,
                    f.a_file + '.onnx', '--backend', 'onnxruntime',
                    *short_run_options(
                        'cls', f.cls_data,
                        'train_dataloader.dataset.data_root=/no/such/')],
         'Dataset path /no/such/ (train_dataloader.dataset.data_root'),
    Case('quantize a detector that does not export',
         lambda f: [PY, 'tools/quantize.py',
                    'configs/det/dino_4scale_moga_s.py', f.det_checkpoint,
                    f.a_file + '.xml', '--backend', 'openvino'],
         'detectors are exported with an RPN and RoI heads'),
    # Inference over many inputs.
    Case('infer on a folder without images',
         lambda f: [PY, 'tools/infer.py', f.no_images, '--config', CLS,
                    '--checkpoint', f.cls_checkpoint], 'no image to draw on'),
    Case('infer --strict with inputs that are left out',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', CLS,
                    '--checkpoint', f.cls_checkpoint, '--strict',
                    '--out-dir', f.a_file + '_out'],
         '--strict: 2 inputs left out (listed above)'),
    # Pictures: videos, cameras, people before poses, tiles, the page.
    Case('infer on a file named like a video that is not one',
         lambda f: [PY, 'tools/infer.py', f.a_file + '_clip.mp4', '--config',
                    CLS, '--checkpoint', f.cls_checkpoint],
         '_clip.mp4 does not exist'),
    Case('infer on a text file named .mp4',
         lambda f: [PY, 'tools/infer.py', f.text_video, '--config', CLS,
                    '--checkpoint', f.cls_checkpoint],
         'the installed OpenCV reads no frame from it'),
    Case('a frame count for still images',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', CLS,
                    '--checkpoint', f.cls_checkpoint, '--max-frames', '3'],
         '--max-frames applies to videos and --webcam'),
    Case('a camera that is not there',
         lambda f: [PY, 'tools/infer.py', '--webcam', '9', '--config', CLS,
                    '--checkpoint', f.cls_checkpoint],
         '--webcam 9: no camera 9 on this machine'),
    Case('infer with nothing to draw on',
         lambda f: [PY, 'tools/infer.py', '--config', CLS, '--checkpoint',
                    f.cls_checkpoint],
         'nothing to draw on: give images, folders or videos'),
    Case('a person detector for a classifier',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', CLS,
                    '--checkpoint', f.cls_checkpoint, '--det-config', DET,
                    '--det-checkpoint', f.det_checkpoint],
         '--det-config finds people for top-down pose models'),
    Case('pose: a person detector config that is not a detector',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', POSE,
                    '--checkpoint', f.det_checkpoint, '--det-config', CLS,
                    '--det-checkpoint', f.cls_checkpoint],
         'is not an MMDetection config'),
    Case('pose: a person class the detector does not have',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', POSE,
                    '--checkpoint', f.det_checkpoint, '--det-config', DET,
                    '--det-checkpoint', f.det_checkpoint, '--det-cat-id',
                    '7'],
         '--det-cat-id 7: the detector of'),
    Case('tiles for a classifier',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', CLS,
                    '--checkpoint', f.cls_checkpoint, '--slice', '256'],
         '--slice tiles images for detectors'),
    Case('tiles that overlap entirely',
         lambda f: [PY, 'tools/infer.py', f.images, '--config', DET,
                    '--checkpoint', f.det_checkpoint, '--slice', '256',
                    '--overlap', '1'],
         '--overlap 1.0: a fraction of the tile'),
    Case('a page with a config and no checkpoint',
         lambda f: [PY, 'tools/app.py', '--config', CLS],
         '1 --config and 0 --checkpoint given'),
    # The other tools.
    Case('toy data into a file',
         lambda f: [PY, 'tools/make_toy_data.py', 'cls', '--out', f.a_file],
         'Not a directory'),
    Case('a zoo table from a missing csv',
         lambda f: [PY, 'tools/zoo_table.py', '--from-csv', 'nope.csv'],
         'nope.csv does not exist'),
    Case('publish random bytes',
         lambda f: [PY, 'tools/publish_model.py', f.random_bytes,
                    f.a_file + '_published.pth'], 'not a PyTorch checkpoint'),
    Case('publish to a name without .pth',
         lambda f: [PY, 'tools/publish_model.py', f.cls_checkpoint,
                    f.a_file + '_published.pt'], 'must end with .pth'),
    Case('a demo of an unknown task',
         lambda f: [PY, 'tools/train_toy.py', 'depth'],
         "invalid choice: 'depth'"),
    # The old name of tools/train_toy.py, kept for one release.
    Case('a demo of an unknown task by the old tool name',
         lambda f: [PY, 'tools/demo.py', 'depth'], "invalid choice: 'depth'"),
    # The launch scripts check their arguments before torchrun starts.
    Case('no processes',
         lambda f: ['bash', 'tools/dist_train.sh', CLS, '0'],
         'NUM_PROCESSES must be a whole number'),
    Case('a launch with a missing config',
         lambda f: ['bash', 'tools/dist_train.sh', 'nope.py', '2'],
         'config file nope.py does not exist'),
    Case('a test launch with a missing checkpoint',
         lambda f: ['bash', 'tools/dist_test.sh', CLS, 'nope.pth', '2'],
         'checkpoint nope.pth: does not exist'),
    Case('a Slurm launch with a missing config',
         lambda f: ['bash', 'tools/slurm_train.sh', 'gpu', 'job', 'nope.py',
                    'work_dirs/x'], 'config file nope.py does not exist'),
    Case('a Slurm test with a missing checkpoint',
         lambda f: ['bash', 'tools/slurm_test.sh', 'gpu', 'job', CLS,
                    'nope.pth'], 'checkpoint nope.pth: does not exist'),
]


@pytest.fixture(scope='module')
def case_results(files):
    """The run of every case (each tool as ``python TOOL ...`` runs it, in
    a process of its own)."""
    results = run_tools([case.command(files) for case in CASES],
                        env=dict(PYTHON=PY))
    return {case.name: result for case, result in zip(CASES, results)}


@pytest.mark.parametrize('case', CASES, ids=[case.name for case in CASES])
def test_bad_input_is_one_error_line(case, case_results):
    result = case_results[case.name]
    assert result.returncode != 0, result.stdout[-2000:]
    assert 'Traceback' not in result.stderr, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ') and case.error in last, last


def test_old_tool_name_says_its_new_one(case_results):
    result = case_results['a demo of an unknown task by the old tool name']
    first = result.stderr.strip().splitlines()[0]
    assert first.startswith('notice: tools/demo.py is now tools/'
                            'train_toy.py'), result.stderr


def test_infer_keeps_going_over_many_inputs(files, tmp_path):
    """Two images drawn; the text file and the broken image are reported
    and left out."""
    result = run_tool(PY, 'tools/infer.py', files.images, '--config', CLS,
                      '--checkpoint', files.cls_checkpoint, '--out-dir',
                      str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'not images, left out: {files.images}/notes.txt' in result.stdout
    assert f'left out {files.images}/broken.jpg' in result.stdout
    assert 'drew 2 images' in result.stdout
    assert sorted(p.name for p in (tmp_path / 'vis').iterdir()) == [
        'image_0.png', 'image_1.png'
    ]
    with open(tmp_path / 'pred' / 'image_0.json') as file:
        assert 'pred_label' in json.load(file)


def test_test_tool_allow_partial_goes_on(files, tmp_path):
    """--allow-partial tests with what fits and prints the mismatch."""
    result = run_tool(PY, 'tools/test.py', SEG, files.det_checkpoint,
                      '--allow-partial', '--work-dir', str(tmp_path),
                      *short_run_options('seg', files.seg_data))
    assert result.returncode == 0, result.stderr[-3000:]
    log = result.stdout + result.stderr
    assert 'do not fit the model of' in log and 'mIoU' in log
