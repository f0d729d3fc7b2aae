"""YAML with line numbers: mappings remember where each key stands.

Bounded: aliases may add at most :data:`MAX_ALIAS_NODES` nodes to a document once expanded (a
"billion laughs" alias bomb is refused before anything expands it), and an integer longer than
Python's digit limit is a one-line error, not a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import yaml

from cellsdocs.errors import SourceError

__all__ = ["MAX_ALIAS_NODES", "LineDict", "load_yaml"]

#: how many nodes aliases may add to a document when expanded (a few documents' worth)
MAX_ALIAS_NODES = 100_000


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


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError as exc:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise SourceError(
            f"an integer has more than {sys.get_int_max_str_digits()} digits",
            line=node.start_mark.line + 1,
            hint="shorten the number",
        ) from exc


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _expanded_sizes(root: yaml.Node) -> tuple[dict[int, int], dict[int, yaml.Node], yaml.Node | None]:
    """Expanded size of every distinct node (by id), the nodes, and a node that holds itself or None."""
    sizes: dict[int, int] = {}
    nodes: dict[int, yaml.Node] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            children = _children(node)
            sizes[key] = 1 + sum(sizes[id(child)] for child in children)
            nodes[key] = node
            continue
        if key in sizes:
            continue
        if key in active:
            return sizes, nodes, node
        active.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                return sizes, nodes, child
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes, nodes, None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _compose(text: str) -> Any:
    """Compose, check the alias expansion, then construct (what ``yaml.load`` does in one go)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        sizes, nodes, cycle = _expanded_sizes(node)
        if cycle is not None:
            raise SourceError(
                "an alias refers to a node that contains it (a recursive structure)",
                line=cycle.start_mark.line + 1,
                hint="write the data out instead of using & and *",
            )
        expanded = sizes[id(node)]
        if expanded - len(sizes) > MAX_ALIAS_NODES:
            # the smallest value that is already too big: where the repetition starts to explode
            culprit = min((k for k, v in sizes.items() if v > MAX_ALIAS_NODES), key=lambda k: sizes[k])
            raise SourceError(
                f"aliases (*name) expand to {expanded:,} values, more than {MAX_ALIAS_NODES:,} over the "
                "document's own (an alias bomb?)",
                line=nodes[culprit].start_mark.line + 1,
                hint="write the data out instead of repeating aliases",
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_yaml(text: str, *, file: str, what: str) -> Any:
    """Parse YAML safely; every failure is a one-line SourceError naming file and line."""
    try:
        return _compose(text)
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
