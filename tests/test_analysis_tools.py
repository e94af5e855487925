"""tools/analysis/get_flops.py and benchmark.py: the zoo table's figures at
the table's sizes, FLOPs that follow --shape, a speed run, and their bad
input in one line."""
import glob
import re
import sys

import mmcv
import pytest

from helpers import REPO, run_tools, tool_error
from mmmoga.tasks import TASKS
from mmmoga.zoo import read_csv

pytestmark = pytest.mark.slow
PY = sys.executable
FLOPS = 'tools/analysis/get_flops.py'
BENCHMARK = 'tools/analysis/benchmark.py'
INTERACTION = 'tools/analysis/interaction_strength.py'
CAM = 'tools/analysis/vis_cam.py'
# The smallest model of each task, as the zoo table names its config.
ONE_PER_TASK = ('configs/det/retinanet_moga_xt.py',
                'configs/seg/fpn_moga_xt.py',
                'configs/pose/topdown_heatmap_moga_xt_256x192.py',
                'configs/cls/moganet_xt_in1k.py')
RUNS = {
    **{config: [PY, FLOPS, config] for config in ONE_PER_TASK},
    'cls at twice the side': [PY, FLOPS, 'moganet_xt_in1k', '--shape',
                              '448', '448'],
    'det at an odd size': [PY, FLOPS, 'retinanet_moga_xt', '--shape', '200',
                           '301'],
    'speed': [PY, BENCHMARK, 'moganet_xt_in1k', '--shape', '64', '64',
              '--batch-size', '2', '--warmup', '1', '--repeats', '2'],
    'a shape of 0': [PY, FLOPS, 'moganet_xt_in1k', '--shape', '0', '64'],
    'an unknown model': [PY, FLOPS, 'moganet_xxt_in1k'],
    'no GPU': [PY, BENCHMARK, 'moganet_xt_in1k', '--device', 'cuda'],
    'a detector in batches': [PY, BENCHMARK, 'retinanet_moga_xt',
                              '--batch-size', '2'],
    'no timed runs': [PY, BENCHMARK, 'moganet_xt_in1k', '--repeats', '0'],
}


@pytest.fixture(scope='module')
def interaction_out(tmp_path_factory):
    return tmp_path_factory.mktemp('interaction')


@pytest.fixture(scope='module')
def results(trained_toy, toy_data, interaction_out):
    from toy_tasks import TOY_TASKS
    toy = TOY_TASKS['cls']
    work_dir, _ = trained_toy('cls')
    runs = dict(RUNS)
    runs['interaction'] = [
        PY, INTERACTION, toy.config, f'{work_dir}/{toy.checkpoint}',
        '--data', f'{toy_data("cls")}/val', '--num-images', '2', '--grid',
        '4', '--pairs', '2', '--contexts', '1', '--name', 'toy XT',
        '--out-dir', str(interaction_out)]
    image = sorted(glob.glob(f'{toy_data("cls")}/val/*/*.jpg'))[0]
    for method in ('gradcam', 'eigencam'):
        runs[method] = [
            PY, CAM, toy.config, f'{work_dir}/{toy.checkpoint}', image,
            '--method', method, '--stage', '2', '--out',
            str(interaction_out / f'{method}.png')]
    runs['interaction on a segmentor'] = [
        PY, INTERACTION, 'fpn_moga_xt', f'{work_dir}/{toy.checkpoint}',
        '--data', str(interaction_out)]
    return dict(zip(runs, run_tools(list(runs.values()))))


def printed(result, label):
    """The number after ``label`` in the tool's output."""
    assert result.returncode == 0, result.stderr[-3000:]
    return float(re.search(rf'{re.escape(label)}: ([\d.]+)',
                           result.stdout).group(1))


@pytest.mark.parametrize('config', ONE_PER_TASK)
def test_default_shape_gives_the_zoo_table_figures(results, config):
    [row] = [row for row in read_csv(f'{REPO}/docs/zoo/table.csv')
             if row['config'] == config]
    result = results[config]
    assert f"of {row['input']} ({TASKS[row['task']].input_order}; the zoo " \
        "table's size)" in result.stdout
    assert printed(result, 'parameters') == row['params_m']
    assert printed(result, 'FLOPs, mmengine FlopAnalyzer') == row['gflops']
    assert printed(result, 'FLOPs, mmcv 1.x rules (the official tables)') \
        == row['gflops_mmcv_rules']


def test_flops_follow_the_shape(results):
    base = printed(results['configs/cls/moganet_xt_in1k.py'],
                   'FLOPs, mmengine FlopAnalyzer')
    twice = printed(results['cls at twice the side'],
                    'FLOPs, mmengine FlopAnalyzer')
    # Every conv scales with the area; only the classifier's head does not.
    assert 3.9 < twice / base < 4.0
    odd = results['det at an odd size']
    assert 'of 320x224 (width x height; padded from --shape)' in odd.stdout


def test_speed_run_states_its_setting(results):
    result = results['speed']
    assert re.search(r'^[\d.]+ images/s \([\d.]+ ms per batch, median of 2 '
                     r'runs after 1 warm-up runs\)$', result.stdout,
                     re.MULTILINE), result.stdout
    assert 'batches of 2 images of 64x64 on cpu' in result.stdout
    assert 'malloc: ' in result.stdout


def test_interaction_strength_writes_its_curve(results, interaction_out):
    result = results['interaction']
    assert result.returncode == 0, result.stderr[-3000:]
    # 16 patches: orders 0, 2, 3, 5, 6, 8, 10, 11, 13, 14 (m / n rounded,
    # at most n - 2); 4 x 10 orders x 2 pairs x 1 context per image.
    assert 'toy XT: 2 images, 16 patches, 160 forward passes' in \
        result.stdout
    rows = (interaction_out / 'interaction_strength.csv').read_text()
    assert rows.count('toy XT,') == 10
    assert (interaction_out / 'interaction_strength.png').stat().st_size > \
        10_000


@pytest.mark.parametrize('method', ['gradcam', 'eigencam'])
def test_cam_is_drawn_over_the_image(results, interaction_out, method):
    result = results[method]
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.match(rf'{method}( of class \d \(\w+\))?, stage 2 \(4x4 '
                    r'positions\)', result.stdout.splitlines()[-1])
    drawing = mmcv.imread(str(interaction_out / f'{method}.png'))
    # The toy test crop (64x64) and the map over it, side by side,
    # enlarged to 512x512 each.
    assert drawing.shape[0] == 512 and drawing.shape[1] > 1024


@pytest.mark.parametrize('run, error', [
    ('a shape of 0', '--shape 0 64: both sides must be positive'),
    ('an unknown model', "did you mean moganet_xt_in1k"),
    ('no GPU', 'no CUDA device'),
    ('a detector in batches', 'detectors are timed at --batch-size 1'),
    ('no timed runs', 'argument --repeats: must be at least 1, got 0'),
    ('interaction on a segmentor', 'this tool takes mmpretrain configs'),
])
def test_bad_input_is_one_line(results, run, error):
    line = tool_error(results[run])
    assert line.startswith('error: ') and error in line, line
