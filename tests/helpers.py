"""Helpers shared by the tests (fixtures live in conftest.py)."""
import glob
import os
import os.path as osp
import re
import subprocess
import sys
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

DATA_DIR = osp.join(osp.dirname(__file__), 'data')
GOLDEN_PATH = osp.join(DATA_DIR, 'moganet_reference.pt')
REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))

# A 4-stage arch small enough for fast CPU tests: dims divisible by 8 (the
# default channel split) and two blocks per stage.
SMALL_ARCH = dict(embed_dims=[16, 32, 48, 64], depths=[2, 2, 2, 2],
                  ffn_ratios=[4, 4, 4, 4])


def backbone_state_dict(official_state_dict):
    """The official classifier's state dict without its linear ``head``."""
    return {k: v for k, v in official_state_dict.items()
            if not k.startswith('head.')}


def task_configs(task):
    """The model configs under configs/<task>/ (toy ones included), relative
    to the repository; files under _base_/ hold shared pieces, not models."""
    return sorted(
        osp.relpath(path, REPO)
        for path in glob.glob(osp.join(REPO, 'configs', task, '**', '*.py'),
                              recursive=True) if '/_base_/' not in path)


# MogaNet sizes, smallest first, as config names spell them (`_moga_<size>`).
ARCH_ORDER = ('xt', 't', 's', 'b', 'l', 'xl')


def smallest_of_each_family(configs):
    """Of configs that differ only in their MogaNet size (``_moga_<size>``
    in the name), the smallest size's: the heads and recipe are the same
    for every size, and every backbone size is tested on its own."""
    families = {}
    for config in configs:
        name = config_name(config)
        match = re.search(r'_moga_({})(?=_|$)'.format('|'.join(ARCH_ORDER)),
                          name)
        if match is None:
            families[name] = [(0, config)]
            continue
        family = name[:match.start()] + '_moga_*' + name[match.end():]
        rank = ARCH_ORDER.index(match.group(1))
        families.setdefault(family, []).append((rank, config))
    return {min(members)[1] for members in families.values()}


def config_name(config):
    """The name of a config file: its base name without ``.py``."""
    return osp.splitext(osp.basename(config))[0]


def load_task_config(task, name):
    """``configs/<task>/<name>.py``, loaded."""
    from mmengine.config import Config
    return Config.fromfile(osp.join(REPO, 'configs', task, name + '.py'))


def build_from_config(config, adjust=None):
    """The config and its model, built as a single-process Runner would:
    in the config's registry scope, with the top-level data_preprocessor
    where the model has none, SyncBN reverted to BN. ``adjust(cfg)``, if
    given, changes the loaded config before the model is built."""
    from mmengine.config import Config

    from mmmoga.engine import build_config_model
    cfg = Config.fromfile(osp.join(REPO, config))
    if adjust is not None:
        adjust(cfg)
    return cfg, build_config_model(cfg)


def published_roundings(params):
    """The sizes in millions a model zoo may list for ``params``: rounded to
    0.1M, or first to 0.01M (as mmcv's complexity counter prints them) and
    that figure to 0.1M, half up or half to even (Semantic FPN-L: 86.148M,
    printed 86.15M, listed 86.2M; pose MogaNet-XT: 5.6526M, printed 5.65M,
    listed 5.6M)."""
    millions = Decimal(params) / Decimal(10**6)
    tenth, hundredth = Decimal('0.1'), Decimal('0.01')
    printed = millions.quantize(hundredth, ROUND_HALF_UP)
    return {
        float(millions.quantize(tenth, ROUND_HALF_UP)),
        float(printed.quantize(tenth, ROUND_HALF_UP)),
        float(printed.quantize(tenth, ROUND_HALF_EVEN))
    }


class ToolServer:
    """One ``tests/tool_server.py`` process for the test session: it has
    imported the libraries once and forks a child per tool run."""

    def __init__(self):
        import tempfile
        self.log = tempfile.TemporaryFile('w+')  # the server's own output
        self.process = subprocess.Popen(
            [sys.executable, osp.join(REPO, 'tests', 'tool_server.py')],
            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.log, text=True, start_new_session=True)

    def run(self, command, env, timeout):
        import json
        import select
        self.process.stdin.write(
            json.dumps(dict(command=command, env=env)) + '\n')
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ''
        if not line:  # timed out, or the server died
            self.stop()
            if not ready:
                raise subprocess.TimeoutExpired(command, timeout)
            self.log.seek(0)
            raise RuntimeError('the tool server stopped: ' +
                               self.log.read()[-3000:])
        return subprocess.CompletedProcess(command, **json.loads(line))

    def stop(self):
        import signal
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()


_TOOL_SERVER = []


def _tool_server() -> ToolServer:
    if not _TOOL_SERVER or _TOOL_SERVER[0].process.poll() is not None:
        import atexit
        _TOOL_SERVER[:] = [ToolServer()]
        atexit.register(_TOOL_SERVER[0].stop)
    return _TOOL_SERVER[0]


def run_tool(*args, env=None, timeout=600):
    """Runs a command in the repository as a user would, capturing output.
    A ``python TOOL.py ...`` command runs in the session's tool server
    (``tests/tool_server.py``: a forked child of a process that imported
    the libraries and mmmoga once, from this checkout, in a process group
    of its own); any other as a subprocess. A run that must import another
    mmmoga (an installed wheel) is not a ``python TOOL.py`` command: use
    ``subprocess`` (tests/test_packaging.py does)."""
    command = [str(arg) for arg in args]
    env = {**os.environ, **(env or {})}
    if command[0] == sys.executable and command[1:2] and \
            command[1].endswith('.py'):
        return _tool_server().run(command, env, timeout)
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env,
                          stdin=subprocess.DEVNULL)


def run_tools(commands, env=None):
    """:func:`run_tool` of each command line in ``commands``, in order."""
    return [run_tool(*command, env=env) for command in commands]


def tool_error(result):
    """The last line a failed tool run wrote to stderr (its one-line error);
    fails the test if the run succeeded."""
    assert result.returncode != 0, result.stdout[-2000:]
    return result.stderr.strip().splitlines()[-1]


# A rank of a CPU (gloo) torchrun job occasionally aborts in its first
# iteration with this message from C++ (once in four full runs of the suite
# with torch 2.13 on 2 cores; the same test then passed 6 times of 6 on its
# own). Such a run is repeated once; any other failure, or this one twice,
# still fails the test.
GLOO_ABORT = 'terminate called without an active exception'


def run_distributed_tool(*args, env=None, timeout=600):
    """:func:`run_tool` for torchrun jobs, repeated once after a gloo
    abort."""
    result = run_tool(*args, env=env, timeout=timeout)
    if result.returncode != 0 and GLOO_ABORT in result.stdout + result.stderr:
        result = run_tool(*args, env=env, timeout=timeout)
    return result


def logged_environment(work_dir):
    """The log file of the last run in ``work_dir`` (a distributed run
    repeated after a gloo abort leaves two), which describes the environment
    and the config."""
    import glob
    log_files = sorted(glob.glob(osp.join(work_dir, '*', '*.log')))
    assert log_files, f'no run logged in {work_dir}'
    # The run folders are named by their start time.
    with open(log_files[-1]) as f:
        return f.read()


def config_with(config, **overrides):
    """A config file of the repository, with ``overrides`` merged in (keys
    as for --cfg-options)."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.merge_from_dict(overrides)
    return cfg


def train_step_and_predict(cfg, model, packed):
    """One optimizer step of ``model`` on the batch ``packed`` (as a data
    loader yields it), then its predictions for that batch in eval mode.
    Checks that the loss is finite and that the step moved the stem's
    weights; returns (log_vars, predictions)."""
    import torch
    from mmengine.optim import build_optim_wrapper
    model.train()
    losses = model(**model.data_preprocessor(packed, True), mode='loss')
    loss, log_vars = model.parse_losses(losses)
    assert torch.isfinite(loss), log_vars
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    stem = model.backbone.patch_embed1.projection[0].weight
    before = stem.detach().clone()
    optim_wrapper.update_params(loss)
    assert not torch.equal(before, stem)
    model.eval()
    with torch.no_grad():
        predictions = model(**model.data_preprocessor(packed, False),
                            mode='predict')
    return log_vars, predictions


def settings_of_each_parameter(optimizer):
    """id(parameter) -> the settings (lr, weight decay, ...) of its group in
    ``optimizer``."""
    return {id(p): {k: v for k, v in group.items() if k != 'params'}
            for group in optimizer.param_groups for p in group['params']}


def weight_decays(cfg, model):
    """Parameter name -> the weight decay of its group in the optimizer that
    ``cfg.optim_wrapper`` builds for ``model``."""
    from mmengine.optim import build_optim_wrapper
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    settings = settings_of_each_parameter(optimizer)
    return {name: settings[id(p)]['weight_decay']
            for name, p in model.named_parameters()}


def toy_run_options(data_root, *extra):
    """--cfg-options for a short run of a toy config on the data in
    ``data_root``: in-process data loading, a log line per iteration."""
    options = [f'{split}_dataloader.dataset.data_root={data_root}/'
               for split in ('train', 'val', 'test')]
    for split in ('train', 'val', 'test'):
        options += [f'{split}_dataloader.num_workers=0',
                    f'{split}_dataloader.persistent_workers=False']
    return ['--cfg-options', *options, 'default_hooks.logger.interval=1',
            *extra]


def corrupt_copy(root, tmp_path, split, index=0):
    """A copy of the toy data set in ``root`` whose ``index``-th image of
    ``split`` (sorted, in any sub-folder) is a truncated JPEG, as a kill
    during copying leaves it. Returns the copy's root and that image."""
    import shutil
    copy_root = tmp_path / 'data'
    shutil.copytree(root, copy_root)
    image = sorted((copy_root / split).rglob('*.jpg'))[index]
    data = image.read_bytes()
    image.write_bytes(data[:len(data) // 3])
    return str(copy_root), image


def video_frames(path):
    """The frames of the video file ``path`` (BGR) and its frame rate, as
    OpenCV reads them."""
    import cv2
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    return frames, fps


def missing_task_libraries():
    """Task -> why its library does not import here (none on the default
    stack)."""
    from mmmoga.errors import ConfigCheckError
    from mmmoga.tasks import TASKS
    missing = {}
    for name, task in TASKS.items():
        try:
            task.check_library()
        except ConfigCheckError as error:
            missing[name] = str(error)
    return missing
