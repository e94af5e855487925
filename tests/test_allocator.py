"""The tools' tuned glibc malloc: what it sets, and when it stays off."""
import sys

import pytest

from helpers import run_tool
from mmmoga.utils import allocator as allocator_module
from mmmoga.utils import tune_malloc


class RecordingLibc:
    def __init__(self, result=1):
        self.calls, self.result = [], result

    def mallopt(self, parameter, value):
        self.calls.append((parameter, value))
        return self.result


@pytest.fixture
def libc(monkeypatch):
    recording = RecordingLibc()
    monkeypatch.setattr(allocator_module.ctypes, 'CDLL',
                        lambda name: recording)
    for name in (*allocator_module.ENV_VARIABLES,
                 allocator_module.OPT_OUT_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    return recording


def test_tuned_thresholds(libc):
    assert tune_malloc() == 'tuned (mmap/trim thresholds 1 GiB)'
    # M_MMAP_THRESHOLD is -3, M_TRIM_THRESHOLD -1 in glibc's malloc.h.
    assert libc.calls == [(-3, 1 << 30), (-1, 1 << 30)]


def test_switched_off_by_option_or_environment(libc, monkeypatch):
    assert tune_malloc(enable=False) == 'glibc default'
    monkeypatch.setenv('MMMOGA_DEFAULT_MALLOC', '1')
    assert tune_malloc() == 'glibc default'
    assert libc.calls == []


def test_thresholds_set_by_the_user_are_kept(libc, monkeypatch):
    monkeypatch.setenv('MALLOC_MMAP_THRESHOLD_', '4096')
    assert tune_malloc() == \
        'from the environment (MALLOC_MMAP_THRESHOLD_=4096)'
    assert libc.calls == []


def test_a_refused_setting_is_an_error(monkeypatch):
    monkeypatch.setattr(allocator_module.ctypes, 'CDLL',
                        lambda name: RecordingLibc(result=0))
    for name in allocator_module.ENV_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv('MMMOGA_DEFAULT_MALLOC', raising=False)
    with pytest.raises(OSError, match='mallopt'):
        tune_malloc()


@pytest.mark.slow
@pytest.mark.parametrize('tool', ['train', 'test', 'infer', 'demo',
                                  'zoo_table', 'app'])
def test_every_tool_offers_the_switch(tool):
    result = run_tool(sys.executable, f'tools/{tool}.py', '--help')
    assert result.returncode == 0, result.stderr
    assert '--default-malloc' in result.stdout
