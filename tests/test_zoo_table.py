"""The metafiles (published numbers) and tools/zoo_table.py (the zoo
tables generated from the code)."""
import csv
import json
import os.path as osp
import sys

import pytest
import yaml

from helpers import REPO, run_tool, task_configs
from mmmoga.tasks import TASKS
from mmmoga.utils.markdown import replace_marked_section
from mmmoga.zoo import find_metrics, load_published, read_csv
from mmmoga.zoo.report import (
    csv_columns,
    task_readme,
    task_readme_table,
    zoo_section,
)

ZOO = [c for task in TASKS for c in task_configs(task) if '/toy/' not in c]
ZOO_CSV = osp.join(REPO, 'docs', 'zoo', 'table.csv')


@pytest.fixture(scope='module')
def published():
    return load_published(REPO)


def test_every_zoo_config_has_exactly_one_metafile_entry(published):
    # load_published raises on a config listed twice.
    assert sorted(published) == sorted(ZOO)
    for config, entry in published.items():
        assert osp.isfile(osp.join(REPO, config)), config
        assert entry.name == osp.splitext(osp.basename(config))[0]
        assert entry.task == config.split('/')[1]


def test_metafiles_follow_the_model_index_schema():
    import modelindex
    index = modelindex.load(osp.join(REPO, 'model-index.yml'))
    assert index.check(silent=True) == []
    assert len(index.models) == len(ZOO)
    for task in TASKS:
        with open(osp.join(REPO, 'configs', task, 'metafile.yml')) as file:
            metafile = yaml.safe_load(file)
        collections = {c['Name'] for c in metafile['Collections']}
        for model in metafile['Models']:
            assert model['In Collection'] in collections, model['Name']
            metadata = model['Metadata']
            if 'Converted From' not in model:
                # Ours only (no official model): no published figure may
                # come from nowhere, and no weights.
                published = ({'Weights', 'Results'} & set(model)) | (
                    {'Parameters', 'FLOPs'} & set(metadata))
                assert not published, (model['Name'], published)
                continue
            # An official model (the weights may not have been released):
            # its published size, FLOPs and main metric.
            assert isinstance(metadata['Parameters'], int), model['Name']
            assert isinstance(metadata['FLOPs'], int), model['Name']
            for result in model['Results']:
                assert set(result) == {'Task', 'Dataset', 'Metrics'}
            metrics = {k for r in model['Results'] for k in r['Metrics']}
            assert TASKS[task].main_metrics[0] in metrics, model['Name']


def test_find_metrics_prefers_the_newest_test_result(tmp_path):
    old, new = tmp_path / '20260101_000000', tmp_path / '20260102_000000'
    (old / 'vis_data').mkdir(parents=True)
    (new / 'vis_data').mkdir(parents=True)
    (old / '20260101_000000.json').write_text(
        json.dumps({'accuracy/top1': 70.0}) + '\n')
    (new / 'vis_data' / 'scalars.json').write_text(
        json.dumps({'loss': 1.0, 'step': 1}) + '\n' +
        json.dumps({'accuracy/top1': 75.5, 'step': 2}) + '\n')
    found = find_metrics(str(tmp_path), 'cls')
    assert found.metrics == {'Top 1 Accuracy': 70.0}  # test beats val
    (old / '20260101_000000.json').unlink()
    found = find_metrics(str(tmp_path), 'cls')
    assert found.metrics == {'Top 1 Accuracy': 75.5}
    assert found.source.endswith('20260102_000000/vis_data/scalars.json')
    (tmp_path / '20260103_000000').mkdir()
    (tmp_path / '20260103_000000' / '20260103_000000.json').write_text(
        json.dumps({'coco/bbox_mAP': 0.412, 'coco/segm_mAP': 0.377}) + '\n')
    assert find_metrics(str(tmp_path), 'det').metrics == {
        'box AP': 41.2, 'mask AP': 37.7}
    assert find_metrics(str(tmp_path / 'none'), 'det') is None


@pytest.fixture(scope='module')
def tool_run(tmp_path_factory):
    """One run of the tool on a config per task, a broken config and a
    work dir with a known metric."""
    root = tmp_path_factory.mktemp('bench')
    broken = root / 'moganet_broken.py'
    broken.write_text(
        f"_base_ = '{REPO}/configs/cls/moganet_xt_in1k.py'\n"
        "model = dict(backbone=dict(arch='huge'))\n")
    run = root / 'work_dirs' / 'moganet_s_in1k' / '20260101_000000'
    run.mkdir(parents=True)
    (run / '20260101_000000.json').write_text(
        json.dumps({'accuracy/top1': 83.125, 'accuracy/top5': 96.5}) + '\n')
    # Two tasks (the tests that read this run carry the pose marker): the
    # table's code is the same for all four, and
    # tests/test_analysis_tools.py counts a detector and a segmentor at the
    # table's sizes through it (model_complexity), against docs/zoo/.
    configs = ['configs/cls/moganet_s_in1k.py',
               'configs/pose/topdown_heatmap_moga_xt_256x192.py',
               str(broken)]
    out = root / 'out'
    result = run_tool(sys.executable, 'tools/zoo_table.py',
                      *configs, '--out-dir', str(out), '--work-dirs',
                      str(root / 'work_dirs'), '--speed', '--repeats', '1')
    assert result.returncode == 0, result.stderr[-3000:]
    return result, out, configs


@pytest.mark.slow
@pytest.mark.pose
def test_tool_writes_the_table_csv_and_plots(tool_run):
    result, out, configs = tool_run
    with open(out / 'table.csv', newline='') as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == csv_columns()
        rows = {r['config']: r for r in reader}
    assert set(rows) == set(configs)
    markdown = (out / 'table.md').read_text()
    for title in ('## Top-down pose estimation', '## Image classification'):
        assert title in markdown
    for task in ('pose', 'cls'):
        assert (out / f'{task}_accuracy.png').stat().st_size > 10_000
        assert f'({task}_accuracy.png)' in markdown
    assert '3 configs in' in result.stdout and '1 errors' in result.stdout


@pytest.mark.slow
@pytest.mark.pose
def test_speed_columns_and_plot(tool_run):
    _, out, configs = tool_run
    rows = [r for r in read_csv(str(out / 'table.csv')) if not r['error']]
    assert len(rows) == len(configs) - 1
    for row in rows:
        assert row['latency_ms'] > 0 and row['throughput'] > 0
        assert row['threads'] >= 1 and row['device']
    assert (out / 'speed.png').stat().st_size > 10_000
    assert '## Speed' in (out / 'table.md').read_text()


@pytest.mark.slow
def test_moganet_s_matches_its_published_size(tool_run):
    _, out, _ = tool_run
    row = {r['config']: r for r in read_csv(str(out / 'table.csv'))}[
        'configs/cls/moganet_s_in1k.py']
    assert row['input'] == '224x224'
    assert abs(row['gflops'] - 4.97) / 4.97 < 0.03
    assert abs(row['params_m'] - 25.3) < 0.1
    assert (row['published_gflops'], row['published_params_m']) == \
        (4.97, 25.3)
    # The fake work dir's test result, with where it came from.
    assert row['ours Top 1 Accuracy'] == 83.12  # 83.125, rounded half-even
    assert row['metrics_source'].endswith(
        'moganet_s_in1k/20260101_000000/20260101_000000.json')
    assert row['published Top 1 Accuracy'] == 83.4


@pytest.mark.slow
@pytest.mark.pose
def test_official_input_sizes(tool_run):
    _, out, _ = tool_run
    rows = {r['config']: r for r in read_csv(str(out / 'table.csv'))}
    assert rows['configs/pose/topdown_heatmap_moga_xt_256x192.py'][
        'input'] == '256x192'
    # Detection and segmentation: test_analysis_tools.py.


@pytest.mark.slow
def test_a_config_that_cannot_be_built_is_an_error_row(tool_run):
    result, out, configs = tool_run
    rows = {r['config']: r for r in read_csv(str(out / 'table.csv'))}
    broken = rows[configs[-1]]
    assert 'huge' in broken['error'] and broken['gflops'] is None
    assert 'moganet_broken.py: ' in result.stdout


def test_task_readme_tables_are_generated_from_docs_zoo(published):
    """Regenerate with: python tools/zoo_table.py --out-dir docs/zoo
    --update-docs"""
    rows = read_csv(ZOO_CSV)
    assert sorted(r['config'] for r in rows) == sorted(ZOO)
    for row in rows:  # the published columns follow the metafiles
        entry = published[row['config']]
        assert row['published_params_m'] == (
            entry.params / 1e6 if entry.params else None)
        assert row['published_gflops'] == (
            entry.flops / 1e9 if entry.flops else None)
        if entry.params is None:  # ours only: no difference to show
            assert row['params_diff_pct'] is None
            assert row['gflops_diff_pct'] is None
        for name in TASKS[entry.task].main_metrics:
            assert row[f'published {name}'] == entry.metrics.get(name)
    for task in TASKS:
        with open(task_readme(REPO, task)) as file:
            readme = file.read()
        assert replace_marked_section(readme, zoo_section(task),
                                      task_readme_table(rows, task)) == readme
