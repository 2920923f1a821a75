"""Safe YAML loading that remembers where each key and item was written (for file:line errors).

Only the safe loader is used (``yaml.CSafeLoader``, libyaml's parser, when PyYAML has it: about
5x faster on the default packs; ``yaml.SafeLoader`` otherwise): a rule file can never construct
Python objects or run code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError


class LineDict(dict):
    """A mapping that knows the line (1-based) and column of itself and of each key."""

    line: int = 0
    column: int = 0
    key_lines: dict[str, tuple[int, int]]


class LineList(list):
    """A sequence that knows the line of itself and of each item."""

    line: int = 0
    column: int = 0
    item_lines: list[tuple[int, int]]


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise ConfigError("mapping keys must be plain words", loader.name,
                              key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        key = str(key) if not isinstance(key, str) else key
        if key in result:
            raise ConfigError(f"duplicate key {key!r}", loader.name, key_node.start_mark.line + 1,
                              key_node.start_mark.column + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.column = node.start_mark.line + 1, node.start_mark.column + 1
    result.item_lines = [(c.start_mark.line + 1, c.start_mark.column + 1) for c in node.value]
    return result


# YAML 1.2 booleans: only true/false. In YAML 1.1 an unquoted yes, no, on or off is a boolean,
# which would silently break word lists such as {LOWER: {IN: [no, not, never]}}.
_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: Path | str, text: str | None = None) -> Any:
    """Parse YAML safely, raising ConfigError with file:line:column on a syntax error."""
    path = Path(path)
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read: {exc}", str(path)) from exc
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        raise ConfigError(f"YAML syntax error: {problem}", str(path),
                          mark.line + 1 if mark else None, mark.column + 1 if mark else None) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"YAML error: {exc}", str(path)) from exc
    finally:
        loader.dispose()


def line_of(container: Any, key: str | int | None = None) -> tuple[int | None, int | None]:
    """Line and column of a key (mapping) or index (sequence), or of the container itself."""
    if isinstance(container, LineDict):
        if key is not None and key in container.key_lines:
            return container.key_lines[key]  # type: ignore[index]
        return container.line, container.column
    if isinstance(container, LineList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line, container.column
    return None, None
