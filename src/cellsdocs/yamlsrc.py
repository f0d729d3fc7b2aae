"""YAML with line numbers: mappings remember where each key stands."""

from __future__ import annotations

from typing import Any

import yaml

from .errors import SourceError

__all__ = ["LineDict", "load_yaml"]


class LineDict(dict[Any, Any]):
    """A dict from YAML that knows its own line and the line of each key (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int | None:
        return self.key_lines.get(key, self.line)


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses 10x faster


class _Loader(_Base):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise SourceError("a mapping key must be a plain value", line=key_node.start_mark.line + 1) from exc
        if key in result:
            raise SourceError(
                f"duplicate key {key!r}", line=key_node.start_mark.line + 1, key=str(key), hint="remove one of the two"
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> object:
    """Dates YAML cannot build (``2025-13-45``) stay strings, so the caller reports them with their line."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(text: str, *, file: str, what: str) -> Any:
    """Parse YAML safely; every failure is a one-line SourceError naming file and line."""
    try:
        return yaml.load(text, Loader=_Loader)
    except SourceError as exc:
        raise exc.with_context(file=file) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        last = text.count("\n") + (0 if text.endswith("\n") else 1)  # libyaml may point past the end
        line = min(mark.line + 1, max(last, 1)) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise SourceError(
            f"{what} is not valid YAML: {problem}", file=file, line=line, hint="fix the YAML syntax"
        ) from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"{what} is not valid YAML: {exc}", file=file, hint="fix the YAML syntax") from exc
    except RecursionError as exc:
        raise SourceError(f"{what} is nested too deeply", file=file) from exc
