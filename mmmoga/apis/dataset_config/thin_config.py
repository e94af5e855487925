"""A config written as settings over a base config it inherits: what
``tools/dataset_config.py`` writes.

mmengine merges a child config's dicts into its base key by key but
replaces lists whole, so a setting inside a list (one of Cascade R-CNN's
three box heads, one step of a pipeline) is written as the whole list,
with the setting made. A dict set with ``replace`` is written with
``_delete_=True``: it replaces the base's instead of merging into it.
"""
import copy
import os.path as osp
import pprint
import re
from typing import Any, Dict, List, Tuple, Union

from mmengine.config import Config

Path = Tuple[Union[str, int], ...]
# mmengine marks what a ``mmdet::`` style base brings with its registry
# scope; the child config is read in the same default scope.
SCOPE_KEY = '_scope_'
LINE_WIDTH = 79


def parse_key(key: str) -> Path:
    """``'model.roi_head.bbox_head[0].num_classes'`` (or ``...bbox_head.0.
    num_classes``) as a path of dict keys and list indices."""
    parts: List[Union[str, int]] = []
    for part in re.findall(r'[^.\[\]]+', key):
        parts.append(int(part) if part.isdigit() else part)
    return tuple(parts)


def _without_scope(value):
    if isinstance(value, dict):
        return {k: _without_scope(v) for k, v in value.items()
                if k != SCOPE_KEY}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_scope(v) for v in value)
    return value


class ThinConfig:
    """Settings over ``base`` (a loaded config), kept both as the merged
    result (:attr:`merged`, read by later settings) and as what the child
    file must say."""

    def __init__(self, base: Config):
        self.base = base
        self.merged: Dict = copy.deepcopy(base.to_dict())
        self._written: Dict[Path, bool] = {}  # path -> replaces the base's

    def get(self, key: Union[str, Path], default=None):
        node = self.merged
        for part in parse_key(key) if isinstance(key, str) else key:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def _base_value(self, path: Path):
        node = self.base
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def _written_path(self, path: Path) -> Path:
        """The part of ``path`` the file writes: up to the first list."""
        node = self.merged
        for depth, part in enumerate(path):
            if isinstance(node, list):
                return path[:depth]
            node = node[part] if depth < len(path) - 1 else None
        return path

    def set(self, key: Union[str, Path], value: Any, replace: bool = False):
        """Sets ``key`` (its parents must exist, except the last dict) to
        ``value``; with ``replace``, the written dict replaces the base's
        instead of merging into it."""
        path = parse_key(key) if isinstance(key, str) else key
        node = self.merged
        for part in path[:-1]:
            if isinstance(node, dict):
                node = node.setdefault(part, {})
            else:
                node = node[part]
        node[path[-1]] = copy.deepcopy(value)
        written = self._written_path(path)
        self._written[written] = replace and written == path

    def settings(self) -> Dict:
        """The nested dict the child file writes."""
        out: Dict = {}
        for path in self._written:  # in the order they were set
            if any(path[:n] in self._written for n in range(1, len(path))):
                continue  # written inside an enclosing list or replaced dict
            value = _without_scope(copy.deepcopy(self.get(path)))
            # _delete_ only where the base has a dict to delete: mmengine
            # keeps the key otherwise.
            if self._written[path] and isinstance(self._base_value(path),
                                                  dict):
                value = dict(_delete_=True, **value)
            node = out
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
        return out

    def text(self, base_file: str, out_file: str, header: str) -> str:
        """The child config: ``header`` (comment lines), ``_base_`` (the
        base file relative to ``out_file``'s folder, as mmengine resolves
        it) and the settings, one top-level key at a time."""
        relative = osp.relpath(osp.abspath(base_file),
                               osp.dirname(osp.abspath(out_file)))
        lines = [f'# {line}'.rstrip() for line in header.splitlines()]
        lines += [f'_base_ = {relative!r}', '']
        for key, value in self.settings().items():
            lines.append(format_assignment(key, value))
        return '\n'.join(lines) + '\n'


def format_value(value, indent: int = 0, lead: int = 0,
                 trail: int = 0) -> str:
    """``value`` as Python source, dicts with string keys as ``dict(...)``
    calls in their own order, broken over lines (items indented by four
    more than ``indent``, the line's indentation) where one line would pass
    :data:`LINE_WIDTH`; ``lead`` characters precede it on its line and
    ``trail`` follow it (commas, closing brackets)."""
    one_line = _one_line(value)
    fits = indent + lead + len(one_line) + trail <= LINE_WIDTH
    if fits or not isinstance(value, (dict, list, tuple)) or not value:
        return one_line
    inner = indent + 4
    if isinstance(value, dict):
        named = all(isinstance(k, str) and k.isidentifier() for k in value)
        keys = [f'{k}=' if named else f'{k!r}: ' for k in value]
        trails = [1] * (len(value) - 1) + [trail + 1]
        items = [key + format_value(v, inner, len(key), t)
                 for key, v, t in zip(keys, value.values(), trails)]
        opening, closing = ('dict(', ')') if named else ('{', '}')
    else:
        trails = [1] * (len(value) - 1) + [trail + 1]
        items = [format_value(v, inner, 0, t) for v, t in zip(value, trails)]
        opening, closing = ('[', ']') if isinstance(value, list) else \
            ('(', ')')
        if isinstance(value, tuple) and len(value) == 1:
            items[0] += ','
    body = ',\n'.join(' ' * inner + item for item in items)
    return f'{opening}\n{body}{closing}'


def _one_line(value) -> str:
    if isinstance(value, dict):
        if all(isinstance(k, str) and k.isidentifier() for k in value):
            return 'dict(' + ', '.join(f'{k}={_one_line(v)}'
                                       for k, v in value.items()) + ')'
        return '{' + ', '.join(f'{k!r}: {_one_line(v)}'
                               for k, v in value.items()) + '}'
    if isinstance(value, list):
        return '[' + ', '.join(_one_line(v) for v in value) + ']'
    if isinstance(value, tuple):
        items = [_one_line(v) for v in value]
        return '(' + ', '.join(items) + (',)' if len(items) == 1 else ')')
    if isinstance(value, float):
        return repr(value)
    return pprint.pformat(value)


def format_assignment(key: str, value) -> str:
    return f'{key} = {format_value(value, 0, len(key) + 3)}'
