"""Imports inside the package run one way: from a layer to the layers below
it (docs/architecture.md), never up or sideways."""
import ast
import os.path as osp
from pathlib import Path

import pytest

from helpers import REPO

PACKAGE = Path(REPO) / 'mmmoga'
# Layer of each top-level module or subpackage of mmmoga; a module may import
# from its own layer's package and from lower layers only.
LAYERS = {
    'version': 0, 'errors': 0, 'utils': 0,
    'models': 1, 'checkpoint': 1, 'model_index': 1,
    'datasets': 2, 'toy_data': 2, 'engine': 2, 'visualization': 2,
    'runtime': 2,
    'apis': 3, 'zoo': 3,
    '__init__': 4,
}


def part_of(module: str) -> str:
    """The top-level part of ``mmmoga.a.b`` (``a``)."""
    return module.split('.')[1] if '.' in module else '__init__'


def imported_parts(path: Path):
    """(line, part of mmmoga) of every import of mmmoga in ``path``, relative
    ones resolved."""
    package = '.'.join(path.relative_to(REPO).with_suffix('').parts)
    if path.name != '__init__.py':
        package = package.rsplit('.', 1)[0]
    else:
        package = package[:-len('.__init__')]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                module = '.'.join(base + ([node.module] if node.module
                                          else []))
            else:
                module = node.module or ''
            names = [module] if node.module or not node.level else [
                f'{module}.{alias.name}' for alias in node.names
            ]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            if name == 'mmmoga' or name.startswith('mmmoga.'):
                yield node.lineno, part_of(name)


def package_files():
    return sorted(PACKAGE.rglob('*.py'))


def test_every_part_has_a_layer():
    parts = {part_of('.'.join(p.relative_to(REPO).with_suffix('').parts))
             for p in package_files()}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))


@pytest.mark.parametrize('path', package_files(),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_imports_run_down(path):
    own = part_of('.'.join(path.relative_to(REPO).with_suffix('').parts))
    upward = [
        f'{osp.relpath(path, REPO)}:{line} imports mmmoga.{part}'
        for line, part in imported_parts(path)
        if part != own and LAYERS[part] >= LAYERS[own]
    ]
    assert not upward, upward
