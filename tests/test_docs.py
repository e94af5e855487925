"""Every command of README.md and docs/ runs as written, so that a page and
the code cannot drift apart.

Each shell block of a page carries a marker on the line before it:

* ``<!-- docs-test: run -->``: run here, in a scratch copy of the
  repository (quick blocks: toy data, the environment);
* ``<!-- docs-test: slow -->``: run by ``make test-docs`` (training and the
  demos, tens of minutes), all in one scratch copy, docs/demos.md first
  (later blocks use the demos' checkpoints), then the pages in order;
* ``<!-- docs-test: not run: REASON -->``: never run, REASON says what it
  needs that a test machine does not have (COCO, a GPU, the internet, a
  checkpoint of your own).

A block without a marker fails here. Every command of every block, run or
not, is also checked against the code: the tools and configs it names
exist, every option it passes is one the tool takes, every make target is
in the Makefile."""
import os
import os.path as osp
import re
import shlex
import shutil
import subprocess
import sys
from functools import lru_cache
from typing import List, NamedTuple, Optional

import pytest

from helpers import REPO, run_tool

PAGES = ['README.md', *sorted(
    osp.relpath(osp.join(root, name), REPO)
    for root, _, names in os.walk(osp.join(REPO, 'docs'))
    for name in names if name.endswith('.md'))]
# The slow blocks of this page run first: the others use its checkpoints.
FIRST_PAGE = 'docs/demos.md'

SHELL_FENCE = re.compile(r'^```(bash|sh|shell)\s*$')
MARKER = re.compile(
    r'^<!-- docs-test: (?P<kind>run|slow|not run: (?P<reason>.+?)) -->$')
# A block's run may take this long (the slow ones train).
RUN_TIMEOUT = {'run': 300, 'slow': 3600}


class Block(NamedTuple):
    page: str
    line: int  # of the opening fence, from 1
    kind: Optional[str]  # 'run', 'slow', 'not run', or None: no marker
    reason: Optional[str]
    text: str

    @property
    def name(self) -> str:
        return f'{self.page}:{self.line}'


def shell_blocks(page: str) -> List[Block]:
    with open(osp.join(REPO, page)) as f:
        lines = f.read().splitlines()
    blocks = []
    index = 0
    while index < len(lines):
        if not SHELL_FENCE.match(lines[index]):
            index += 1
            continue
        end = index + 1
        while not lines[end].startswith('```'):
            end += 1
        before = next((line for line in reversed(lines[:index])
                       if line.strip()), '')
        marker = MARKER.match(before.strip())
        kind = None if marker is None else (
            'not run' if marker['reason'] else marker['kind'])
        blocks.append(Block(page, index + 1, kind,
                            marker and marker['reason'],
                            '\n'.join(lines[index + 1:end]) + '\n'))
        index = end + 1
    return blocks


BLOCKS = [block for page in PAGES for block in shell_blocks(page)]


def commands(text: str) -> List[List[str]]:
    """The commands of a shell block, each as its words: continued lines
    joined, comments and here-documents left out, ``&&``, ``;`` and ``|``
    splitting a line."""
    found, heredoc_end = [], None
    for line in text.replace('\\\n', ' ').splitlines():
        if heredoc_end is not None:
            heredoc_end = None if line.strip() == heredoc_end else heredoc_end
            continue
        heredoc = re.search(r"<<\s*'?(\w+)'?", line)
        if heredoc:
            heredoc_end = heredoc.group(1)
            line = line[:heredoc.start()]
        command = []
        for word in shlex.split(line, comments=True):
            if word in ('&&', ';', '|', '||'):
                found.append(command)
                command = []
            else:
                command.append(word)
        found.append(command)
    return [command for command in found if command]


def test_every_shell_block_is_marked():
    unmarked = [block.name for block in BLOCKS if block.kind is None]
    assert not unmarked, (
        'shell blocks without a docs-test marker (tests/test_docs.py says '
        f'which): {unmarked}')
    assert len(BLOCKS) > 40 and {b.kind for b in BLOCKS} == {
        'run', 'slow', 'not run'}


@lru_cache(maxsize=None)
def tool_options(tool: str) -> frozenset:
    """The options ``tool`` (a path under tools/) takes, from its --help."""
    result = run_tool(sys.executable, tool, '--help')
    assert result.returncode == 0, f'{tool} --help: {result.stderr[-2000:]}'
    return frozenset(re.findall(r'(?<![\w-])(--?[a-zA-Z][\w-]*)',
                                result.stdout))


def written_paths(page: str) -> set:
    """What the commands of ``page`` write (the values of -o, --out,
    --out-dir and --work-dir), which later commands may read, and the files
    of the reader's own project that the page shows (a code block that
    starts ``# my_project/PATH``)."""
    with open(osp.join(REPO, page)) as f:
        paths = set(re.findall(r'^# my_project/(\S+)$', f.read(),
                               re.MULTILINE))
    for block in shell_blocks(page):
        for command in commands(block.text):
            for option, value in zip(command, command[1:]):
                if option in ('-o', '--out', '--out-dir', '--work-dir'):
                    paths.add(value)
    return paths


def tool_of(command: List[str]) -> Optional[str]:
    """The tool under tools/ a command runs (the launch scripts run
    tools/train.py and tools/test.py), or None."""
    for word in command[:3]:
        word = word.replace('path/to/mmmoga/', '')
        if word.startswith('tools/') and word.endswith('.py'):
            return word
        launched = re.match(r'tools/(dist|slurm)_(train|test)\.sh$', word)
        if launched:
            return f'tools/{launched.group(2)}.py'
    return None


@pytest.mark.parametrize('block', BLOCKS, ids=lambda block: block.name)
def test_each_command_names_what_exists(block):
    with open(osp.join(REPO, 'Makefile')) as f:
        targets = set(re.findall(r'^([\w-]+):', f.read(), re.MULTILINE))
    written = written_paths(block.page)
    for command in commands(block.text):
        words = ' '.join(command)
        if command[0] == 'make':
            for target in command[1:]:
                assert target in targets, f'{block.name}: make {target}'
        for word in command:
            if word.startswith(('tools/', 'configs/')) and \
                    not word.endswith('/') and word not in written and \
                    not word.startswith('configs/my/'):
                assert osp.exists(osp.join(REPO, word)), (
                    f'{block.name}: {word} does not exist ({words})')
        tool = tool_of(command)
        if tool is None:
            continue
        options = tool_options(tool)
        for word in command:
            option = word.strip('[]').split('=')[0]
            if re.match(r'--?[a-zA-Z]', option) and \
                    not re.match(r'-\d', option):
                assert option in options, (
                    f'{block.name}: {tool} takes no {option} ({words})')


# What `make install` is redone for (the Makefile's INSTALL_INPUTS), and the
# stamp it leaves in the environment.
INSTALL_INPUTS = ('tools/install_env.sh', 'tools/check_env.py', 'setup.py',
                  'requirements/*.txt')
INSTALL_STAMP = '.mmmoga-install-stamp'


def require_installed_environment():
    """A block that runs `make` in a scratch copy would reinstall an
    environment older than its install inputs, and its editable install of
    mmmoga would then point at the scratch copy: the environment must be up
    to date first."""
    import glob
    stamp = osp.join(sys.prefix, INSTALL_STAMP)
    if not osp.isfile(stamp):
        return  # not made by `make install` (an environment of one's own)
    inputs = [path for pattern in INSTALL_INPUTS
              for path in glob.glob(osp.join(REPO, pattern))]
    newer = [osp.relpath(path, REPO) for path in inputs
             if osp.getmtime(path) > osp.getmtime(stamp)]
    if newer:
        pytest.fail(f'{", ".join(newer)} changed after the last make '
                    'install: run make install first')


def scratch_copy(destination: str) -> str:
    """A copy of the repository's files (those git tracks or would track)
    at ``destination``, with its Python environment linked in, as a clone
    after ``make install`` has them."""
    require_installed_environment()
    files = subprocess.run(
        ['git', 'ls-files', '--cached', '--others', '--exclude-standard',
         '-z'], cwd=REPO, capture_output=True, text=True,
        check=True).stdout.split('\0')
    for name in filter(None, files):
        source = osp.join(REPO, name)
        if osp.isfile(source):
            target = osp.join(destination, name)
            os.makedirs(osp.dirname(target), exist_ok=True)
            # copy2 keeps the times, so that make sees the environment as
            # up to date with the install inputs.
            shutil.copy2(source, target)
    os.symlink(sys.prefix, osp.join(destination, '.venv'))
    return destination


def run_block(block: Block, folder: str):
    """Runs ``block`` in ``folder`` as a user would in a shell where the
    environment is active; fails on a non-zero exit or a traceback."""
    env = dict(os.environ,
               PATH=osp.join(sys.prefix, 'bin') + os.pathsep +
               os.environ['PATH'])
    env.pop('PYTHONPATH', None)
    result = subprocess.run(
        ['bash', '-e', '-o', 'pipefail', '-c', block.text], cwd=folder,
        env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        timeout=RUN_TIMEOUT[block.kind])
    output = result.stdout + result.stderr
    assert result.returncode == 0, f'{block.name}:\n{output[-4000:]}'
    assert 'Traceback' not in output, f'{block.name}:\n{output[-4000:]}'


@pytest.mark.slow
@pytest.mark.parametrize(
    'block', [block for block in BLOCKS if block.kind == 'run'],
    ids=lambda block: block.name)
def test_quick_blocks_run_as_written(block, tmp_path):
    run_block(block, scratch_copy(str(tmp_path / 'repo')))


def slow_blocks():
    blocks = [block for block in BLOCKS if block.kind == 'slow']
    return sorted(blocks, key=lambda block: block.page != FIRST_PAGE)


@pytest.fixture(scope='module')
def shared_scratch(tmp_path_factory):
    return scratch_copy(str(tmp_path_factory.mktemp('docs') / 'repo'))


@pytest.mark.docs_slow
@pytest.mark.timeout(RUN_TIMEOUT['slow'])
@pytest.mark.parametrize('block', slow_blocks(),
                         ids=lambda block: block.name)
def test_slow_blocks_run_as_written(block, shared_scratch):
    run_block(block, shared_scratch)
