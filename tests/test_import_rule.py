"""The import rule (docs/architecture.md): imports inside the package run
one way, from a layer to the layers below it, never up or sideways; and
inside ``mmmoga.apis`` from a room to the rooms below it, ``run`` being the
room the others share."""
import ast
import os.path as osp
from pathlib import Path

import pytest

from helpers import REPO

PACKAGE = Path(REPO) / 'mmmoga'
# Layer of each top-level module or subpackage of mmmoga; a module may import
# from its own part and from parts of lower layers only.
LAYERS = {
    'version': 0, 'errors': 0, 'utils': 0,
    'tasks': 1, 'core': 1,
    'models': 2, 'checkpoint': 2, 'model_index': 2, 'timm_models': 2,
    'datasets': 3, 'toy_data': 3, 'engine': 3, 'visualization': 3,
    'runtime': 3,
    'apis': 4,
    'zoo': 5,
    '__init__': 6,
}
# The rooms of mmmoga.apis, layered the same way: export, analysis and
# dataset_config share run and never import each other; the toy demos write
# own-data configs and quantization quantizes exported models (both above
# their neighbours); compatibility runs the demos and exports their models.
# apis/__init__.py hands out the public names of all.
APIS_ROOMS = {
    'run': 0,
    'export': 1, 'analysis': 1, 'dataset_config': 1, 'pictures': 1,
    'toy_demos': 2, 'quantization': 2,
    'compatibility': 3,
    '__init__': 4,
}


def module_name(path: Path) -> str:
    return '.'.join(path.relative_to(REPO).with_suffix('').parts)


def part_of(module: str, depth: int = 1) -> str:
    """The part of ``mmmoga.a.b.c`` at ``depth`` (1: ``a``, 2: ``b``);
    ``__init__`` for the package's own ``__init__`` at that depth."""
    parts = module.split('.')
    return parts[depth] if len(parts) > depth else '__init__'


def imported_modules(path: Path):
    """(line, module) of every import of mmmoga in ``path``, relative ones
    resolved."""
    package = module_name(path)
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
                yield node.lineno, name


def package_files():
    return sorted(PACKAGE.rglob('*.py'))


def apis_files():
    return sorted((PACKAGE / 'apis').rglob('*.py'))


def test_every_part_has_a_layer():
    parts = {part_of(module_name(p)) for p in package_files()}
    assert parts <= set(LAYERS), sorted(parts - set(LAYERS))
    rooms = {part_of(module_name(p), 2) for p in apis_files()}
    assert rooms <= set(APIS_ROOMS), sorted(rooms - set(APIS_ROOMS))


@pytest.mark.parametrize('path', package_files(),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_imports_run_down(path):
    own = part_of(module_name(path))
    upward = [
        f'{osp.relpath(path, REPO)}:{line} imports {module}'
        for line, module in imported_modules(path)
        if part_of(module) != own and LAYERS[part_of(module)] >= LAYERS[own]
    ]
    assert not upward, upward


@pytest.mark.parametrize('path', apis_files(),
                         ids=lambda p: str(p.relative_to(REPO)))
def test_apis_rooms_import_run_down(path):
    own = part_of(module_name(path), 2)
    sideways = [
        f'{osp.relpath(path, REPO)}:{line} imports {module}'
        for line, module in imported_modules(path)
        if part_of(module) == 'apis' and part_of(module, 2) != own
        and APIS_ROOMS[part_of(module, 2)] >= APIS_ROOMS[own]
    ]
    assert not sideways, sideways
