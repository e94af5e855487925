"""A config set up for testing a checkpoint: drawing, test-time
augmentation, raw predictions dumped, reparameterization (``tools/test.py``
and the demos)."""
import os
import os.path as osp
from typing import Optional

import mmcv
import torch
from mmengine.config import Config, ConfigDict

from mmmoga.checkpoint import checkpoint_problem
from mmmoga.engine import add_custom_hook
from mmmoga.errors import CheckpointError, ConfigCheckError
from mmmoga.runtime import check_backend, default_backend, is_exported
from mmmoga.tasks import TASKS
from mmmoga.visualization import (
    captioned_side_by_side,
    use_readable_visualizer,
)

from .config_checks import check_config
from .reparameterization import require_moganet
from .training import check_cpu_amp

# How each library's visualization hook is told to draw test predictions
# (mmmoga.tasks). mmdet's and mmpose's save into WORK_DIR/<timestamp>/
# SHOW_DIR (an absolute SHOW_DIR as it is), mmpretrain's into SHOW_DIR;
# mmseg's saves through the visualizer, whose save_dir becomes SHOW_DIR
# (images in SHOW_DIR/vis_data/vis_image).
VISUALIZATION_HOOKS = {
    task.visualization_hook.type: task.visualization_hook
    for task in TASKS.values()
}


def enable_visualization(cfg: Config, show_dir: Optional[str],
                         show: bool = False, wait_time: float = 2,
                         score_thr: Optional[float] = None) -> Optional[str]:
    """Turns drawing of every test prediction on; returns where the drawn
    images will be, with ``{timestamp}`` standing for the run's timestamp
    (None: shown only). ``score_thr`` is the lowest score of a detection
    that is drawn (detection only; None keeps the config's)."""
    hook = cfg.get('default_hooks', {}).get('visualization')
    if hook is None or hook.get('type') not in VISUALIZATION_HOOKS:
        raise ConfigCheckError(
            'drawing predictions needs default_hooks.visualization to be one '
            f'of {sorted(VISUALIZATION_HOOKS)} in {cfg.filename}')
    visualization = VISUALIZATION_HOOKS[hook['type']]
    switch, out_dir_key, settings = (visualization.switch,
                                     visualization.out_dir_key,
                                     visualization.settings)
    use_readable_visualizer(cfg)
    hook.update(settings, show=show, wait_time=wait_time)
    hook[switch] = True
    if score_thr is not None:
        if hook['type'] != 'DetVisualizationHook':
            raise ConfigCheckError(
                f'a score threshold applies to detections; {cfg.filename} '
                f'draws with {hook["type"]}')
        hook['score_thr'] = score_thr
    if show_dir is None:
        return None
    if out_dir_key is None:
        cfg.visualizer['save_dir'] = show_dir
        return osp.join(show_dir, 'vis_data', 'vis_image')
    hook[out_dir_key] = show_dir
    if not visualization.in_run_folder:
        return show_dir
    return osp.join(cfg.work_dir, '{timestamp}', show_dir)


# What the visualization hooks write pictures as.
DRAWN_SUFFIXES = ('.png', '.jpg', '.jpeg')


def caption_drawings(cfg: Config, drawn_dir: str, since: float) -> int:
    """Names the halves ("ground truth", "prediction") of the side-by-side
    pictures that the test run which started at ``since`` (``time.time()``)
    drew into ``drawn_dir`` (what :func:`enable_visualization` returned,
    timestamp filled in), for the tasks that draw them side by side; older
    pictures in the folder are left as they are. Returns how many it
    captioned."""
    hook_type = cfg.default_hooks.visualization.type
    if not VISUALIZATION_HOOKS[hook_type].side_by_side or \
            not osp.isdir(drawn_dir):
        return 0
    captioned = 0
    for name in sorted(os.listdir(drawn_dir)):
        path = osp.join(drawn_dir, name)
        if not name.lower().endswith(DRAWN_SUFFIXES) or \
                osp.getmtime(path) < since:
            continue
        mmcv.imwrite(captioned_side_by_side(mmcv.imread(path)), path)
        captioned += 1
    return captioned


def enable_tta(cfg: Config):
    """Tests the config's ``tta_model`` around its model on its
    ``tta_pipeline``, the way the OpenMMLab test tools do."""
    missing = [key for key in ('tta_model', 'tta_pipeline') if key not in cfg]
    if missing:
        raise ConfigCheckError(
            f'--tta needs {" and ".join(missing)} in {cfg.filename}, which '
            'has no test-time augmentation defined (the segmentation '
            'configs inherit mmseg\'s)')
    cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
    cfg.tta_model.module = cfg.model
    cfg.model = cfg.tta_model


def add_dump_results(cfg: Config, out: str):
    """Dumps the raw predictions to the pickle file ``out``."""
    if not out.endswith(('.pkl', '.pickle')):
        raise ConfigCheckError(f'--out must be a .pkl file, got {out}')
    dump = ConfigDict(type='DumpResults', out_file_path=out)
    evaluator = cfg.test_evaluator
    cfg.test_evaluator = (list(evaluator) if isinstance(evaluator, list)
                          else [evaluator]) + [dump]


def enable_reparameterized_test(cfg: Config):
    """Tests every MogaNet of the model reparameterized: the checkpoint (of
    the plain structure) is loaded, then the model is folded for inference
    (``MogaNetReparameterizeHook`` runs after the Runner has loaded it)."""
    require_moganet(
        cfg, '--deploy switches MogaNet backbones to deploy mode')
    add_custom_hook(cfg, 'MogaNetReparameterizeHook')


def use_exported_model(cfg: Config, exported_file: str,
                       backend: Optional[str] = None):
    """Tests the exported ``exported_file`` (.onnx, or an OpenVINO IR
    .xml) in ``backend`` (default: ONNX Runtime for an .onnx file, OpenVINO
    for an IR) instead of the config's PyTorch model (``OnnxModel``): the
    same data preprocessor, dataset, evaluator and visualizer."""
    backend = backend or default_backend(exported_file)
    check_backend(exported_file, backend)
    model = cfg.model
    preprocessor = ConfigDict(model.get('data_preprocessor') or cfg.get(
        'data_preprocessor') or {})
    if cfg.get('default_scope') == 'mmpretrain':
        # MMPretrain's classifiers give their preprocessor this type when
        # the config names none.
        preprocessor.setdefault('type', 'ClsDataPreprocessor')
    if cfg.get('default_scope') == 'mmseg':
        mode = (model.get('test_cfg') or {}).get('mode', 'whole')
        if mode != 'whole':
            raise ConfigCheckError(
                f'model.test_cfg.mode={mode!r}: an exported segmentor runs '
                'whole images (mode \'whole\'); sliding-window inference '
                'is not in the graph')
    decode_head = model.get('decode_head') or {}
    if isinstance(decode_head, list):  # mmseg's cascade of decode heads
        decode_head = decode_head[-1]
    # An exported model is in deploy mode already: the hook that folds the
    # PyTorch model (in configs dumped by a --deploy run) has nothing to do.
    if 'custom_hooks' in cfg:
        cfg.custom_hooks = [hook for hook in cfg.custom_hooks
                            if hook.get('type') != 'MogaNetReparameterizeHook']
    rcnn_test_cfg = (model.get('test_cfg') or {}).get('rcnn') or {}
    cfg.model = ConfigDict(
        type='OnnxModel', model_file=exported_file, backend=backend,
        data_preprocessor=preprocessor,
        align_corners=decode_head.get('align_corners', False),
        mask_thr_binary=rcnn_test_cfg.get('mask_thr_binary', 0.5))


def enable_amp_test(cfg: Config):
    """Tests under mixed precision: on a GPU mmengine's test loop autocasts
    the model in float16 (``fp16=True``); on a CPU (which must compute in
    bfloat16: :func:`check_cpu_amp`) the backbone and neck run in bfloat16,
    as ``--amp`` trains them (``CpuAmpTestHook``)."""
    if torch.cuda.is_available():
        cfg.test_cfg = dict(cfg.get('test_cfg') or {}, fp16=True)
        return
    check_cpu_amp()
    add_custom_hook(cfg, 'CpuAmpTestHook', {})


def prepare_testing(cfg: Config, checkpoint: str,
                    show: bool = False,
                    show_dir: Optional[str] = None,
                    wait_time: float = 2,
                    out: Optional[str] = None,
                    tta: bool = False,
                    deploy: bool = False,
                    allow_partial: bool = False,
                    backend: Optional[str] = None,
                    amp: bool = False) -> Optional[str]:
    """Sets ``cfg`` up to test ``checkpoint`` and checks it; returns where
    the drawn predictions will be, as :func:`enable_visualization`. The
    checkpoint must fill the model exactly unless ``allow_partial``
    (``CheckpointFitHook``). An exported checkpoint (.onnx, or an OpenVINO
    IR .xml) is run by ``backend`` (default: the file's own,
    :func:`use_exported_model`). ``amp``: the test loop runs
    under autocast, float16 on a GPU, bfloat16 on a CPU that has it."""
    # The options first: they are mistakes of the command line alone.
    exported = is_exported(checkpoint)
    if exported:
        check_backend(checkpoint, backend or default_backend(checkpoint))
        refused = [name for name, given in (
            ('--tta', tta), ('--deploy', deploy),
            ('--allow-partial', allow_partial), ('--amp', amp)) if given]
        if refused:
            raise ConfigCheckError(
                f'{refused[0]} applies to PyTorch checkpoints; {checkpoint} '
                'is an exported model (in deploy mode, test-time '
                'augmentation as exported)')
    elif backend is not None:
        raise ConfigCheckError(
            f'--backend {backend} runs exported models (.onnx, .xml); '
            f'{checkpoint} '
            'is a PyTorch checkpoint')
    drawn_dir = None
    if show or show_dir:
        drawn_dir = enable_visualization(cfg, show_dir, show, wait_time)
    if out is not None:
        add_dump_results(cfg, out)
    if tta:
        enable_tta(cfg)
    if deploy:
        enable_reparameterized_test(cfg)
    if amp:
        enable_amp_test(cfg)
    if exported:
        if not osp.isfile(checkpoint):
            raise CheckpointError(
                f'exported model {checkpoint} does not exist')
        use_exported_model(cfg, checkpoint, backend)
        check_config(cfg, splits=('test', ))
        return drawn_dir
    problem = checkpoint_problem(checkpoint)
    if problem is not None:
        raise CheckpointError(f'checkpoint {checkpoint}: {problem}')
    cfg.load_from = checkpoint
    add_custom_hook(cfg, 'CheckpointFitHook', dict(strict=not allow_partial))
    check_config(cfg, splits=('test', ))
    return drawn_dir
