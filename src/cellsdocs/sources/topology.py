"""The cell inventory: the Topology Service's ``config.toml`` -> typed :class:`Topology`.

Format (upstream): an array of tables ``[[cells]]`` with ``id``, ``name``, ``address``,
``session_prefix`` and ``sequence_range = [min, max]``. This project also accepts documented extra
keys per cell (:data:`EXTRA_KEYS`). Other top-level tables (the service's own settings) are
ignored: the docs only describe cells.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from cellsdocs.errors import CellsDocsError, SourceError, SourceErrors
from cellsdocs.indexing import first_by
from cellsdocs.sources.textio import display_path, read_text

__all__ = ["CELL_STATUSES", "EXTRA_KEYS", "REQUIRED_KEYS", "Cell", "Topology", "load_topology", "parse_topology"]

REQUIRED_KEYS: dict[str, str] = {
    "id": "integer, unique, >= 1",
    "name": "string, unique, e.g. cell-1",
    "address": "host:port the router proxies to",
    "session_prefix": "string, unique, prefixes session cookies issued by the cell",
    "sequence_range": "[min, max] integers: the cell's slice of the cluster-wide ID space",
}
EXTRA_KEYS: dict[str, str] = {
    "region": "string, groups cells in diagrams and tables",
    "status": "one of active, draining, provisioning, decommissioned",
    "ring": "integer, the deployment ring",
    "owners": "list of team names",
    "description": "string shown on the cell's page",
}
CELL_STATUSES = ("active", "draining", "provisioning", "decommissioned")

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: a cell name becomes a page's file name and a DNS-like label: at most 63 characters
MAX_NAME_LENGTH = 63
_INT64_MAX = 2**63 - 1


@dataclass(frozen=True, kw_only=True)
class Cell:
    """One cell of the cluster."""

    id: int
    name: str
    address: str
    session_prefix: str
    sequence_min: int
    sequence_max: int
    region: str | None = None
    status: str | None = None
    ring: int | None = None
    owners: tuple[str, ...] = ()
    description: str | None = None
    line: int | None = None

    @property
    def sequence_size(self) -> int:
        """How many IDs the range holds."""
        return self.sequence_max - self.sequence_min + 1

    @property
    def host(self) -> str:
        return self.address.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1])


@dataclass(frozen=True, kw_only=True)
class Topology:
    """The cells of the cluster, in file order."""

    cells: tuple[Cell, ...]
    source: str

    def by_name(self, name: str) -> Cell | None:
        return self._names.get(name)

    def by_id(self, cell_id: int) -> Cell | None:
        return self._ids.get(cell_id)

    @cached_property
    def _names(self) -> dict[str, Cell]:
        return first_by(self.cells, lambda cell: cell.name)

    @cached_property
    def _ids(self) -> dict[int, Cell]:
        return first_by(self.cells, lambda cell: cell.id)

    def by_session_prefix(self, value: str) -> Cell | None:
        """The cell whose session prefix starts *value* (longest prefix wins)."""
        matches = [c for c in self.cells if value.startswith(c.session_prefix)]
        return max(matches, key=lambda c: len(c.session_prefix), default=None)

    @property
    def regions(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for cell in self.cells:
            seen.setdefault(cell.region or "unassigned", None)
        return tuple(seen)


def _cell_lines(text: str) -> list[int]:
    """Line numbers of each ``[[cells]]`` header, in order."""
    pattern = re.compile(r"^\s*\[\[\s*cells\s*\]\]")
    return [i for i, line in enumerate(text.splitlines(), start=1) if pattern.match(line)]


def _key_line(text: str, start: int | None, key: str) -> int | None:
    """Line of ``key =`` inside the table starting at line *start*."""
    if start is None:
        return None
    lines = text.splitlines()
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number in range(start, len(lines)):
        line = lines[number]
        if number >= start and re.match(r"^\s*\[", line):
            break
        if pattern.match(line):
            return number + 1
    return start


def validate_address(address: str) -> str | None:
    """Return why *address* is not a valid ``host:port``, or None."""
    if ":" not in address:
        return "has no port"
    host, _, port = address.rpartition(":")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"port {port!r} is not a number from 1 to 65535"
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{host!r} is not an IPv6 address"
        return None
    if not host:
        return "has no host"
    try:
        ipaddress.IPv4Address(host)
        return None
    except ValueError:
        pass
    if len(host) > 253 or not all(_HOST_LABEL.match(label) for label in host.split(".")):
        return f"host {host!r} is not a valid DNS name or IP address"
    if host.replace(".", "").isdigit():
        return f"host {host!r} is not a valid IPv4 address"
    return None


def _parse_cell(raw: Any, index: int, *, file: str, text: str, header: int | None) -> Cell:
    where = f"cells[{index}]"

    def fail(message: str, *, key: str | None = None, hint: str | None = None) -> SourceError:
        line = _key_line(text, header, key) if key else header
        return SourceError(message, file=file, line=line, key=f"{where}.{key}" if key else where, hint=hint)

    if not isinstance(raw, Mapping):
        raise fail("must be a table", hint="write each cell as a [[cells]] table")
    unknown = sorted(set(raw) - set(REQUIRED_KEYS) - set(EXTRA_KEYS))
    if unknown:
        allowed = ", ".join([*REQUIRED_KEYS, *EXTRA_KEYS])
        raise fail(f"unknown key {unknown[0]!r}", key=unknown[0], hint=f"use one of: {allowed}")
    for key, meaning in REQUIRED_KEYS.items():
        if key not in raw:
            raise fail(f"missing required key {key!r}", hint=f"add {key} = ... ({meaning})")

    def integer(key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(f"must be an integer, got {type(value).__name__}", key=key)
        return value

    def string(key: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail("must be a non-empty string", key=key)
        return value

    cell_id = integer("id", raw["id"])
    if not 1 <= cell_id <= _INT64_MAX:
        raise fail(f"id {cell_id} is out of range", key="id", hint="use a positive 64-bit integer")
    name = string("name", raw["name"])
    if len(name) > MAX_NAME_LENGTH:
        raise fail(
            f"name {name[:40]!r}... is {len(name)} characters long, over the {MAX_NAME_LENGTH} limit",
            key="name",
            hint="use a short name such as cell-1 (it names the cell's page)",
        )
    if not _NAME.match(name):
        raise fail(f"name {name!r} has characters other than letters, digits, '.', '_' and '-'", key="name")
    address = string("address", raw["address"])
    problem = validate_address(address)
    if problem:
        raise fail(f"address {address!r} {problem}", key="address", hint="write host:port, e.g. cell-1.example.com:443")
    prefix = string("session_prefix", raw["session_prefix"])
    if any(ch.isspace() for ch in prefix):
        raise fail(f"session_prefix {prefix!r} contains whitespace", key="session_prefix")
    seq = raw["sequence_range"]
    if not isinstance(seq, list) or len(seq) != 2:
        raise fail("must be a list of two integers [min, max]", key="sequence_range")
    lo = integer("sequence_range", seq[0])
    hi = integer("sequence_range", seq[1])
    if lo < 0 or hi > _INT64_MAX:
        raise fail(f"[{lo}, {hi}] leaves the int64 range of IDs (0 to 2^63-1)", key="sequence_range")
    if lo > hi:
        raise fail(
            f"range [{lo}, {hi}] is inverted: min is greater than max",
            key="sequence_range",
            hint="write [min, max] with min <= max",
        )
    region = string("region", raw["region"]) if "region" in raw else None
    status = None
    if "status" in raw:
        status = string("status", raw["status"])
        if status not in CELL_STATUSES:
            raise fail(f"unknown status {status!r}", key="status", hint=f"use one of: {', '.join(CELL_STATUSES)}")
    ring = integer("ring", raw["ring"]) if "ring" in raw else None
    owners: tuple[str, ...] = ()
    if "owners" in raw:
        value = raw["owners"]
        if not isinstance(value, list) or not all(isinstance(o, str) and o.strip() for o in value):
            raise fail("must be a list of non-empty strings", key="owners")
        owners = tuple(value)
    description = string("description", raw["description"]) if "description" in raw else None
    return Cell(
        id=cell_id,
        name=name,
        address=address,
        session_prefix=prefix,
        sequence_min=lo,
        sequence_max=hi,
        region=region,
        status=status,
        ring=ring,
        owners=owners,
        description=description,
        line=header,
    )


def parse_topology(text: str, *, file: str = "config.toml") -> Topology:
    """Parse and validate the text of a topology ``config.toml``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        if match:
            message += f" (column {match.group(2)})"
        raise SourceError(f"TOML syntax error: {message}", file=file, line=line, hint="fix the TOML syntax") from exc
    except ValueError as exc:  # an integer over Python's digit limit (4,300 digits)
        long = re.search(r"[0-9_]{4000,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        raise SourceError(
            f"an integer has more than {sys.get_int_max_str_digits()} digits",
            file=file,
            line=line,
            hint="use a 64-bit integer",
        ) from exc
    if "cells" not in data:
        raise SourceError("no [[cells]] tables", file=file, key="cells", hint="add at least one [[cells]] table")
    raw_cells = data["cells"]
    if not isinstance(raw_cells, list) or not raw_cells:
        raise SourceError(
            "'cells' must be a non-empty array of tables",
            file=file,
            key="cells",
            hint="write each cell as a [[cells]] table",
        )
    headers = _cell_lines(text)
    cells: list[Cell] = []
    errors: list[CellsDocsError] = []
    for i, raw in enumerate(raw_cells):
        try:
            cells.append(_parse_cell(raw, i, file=file, text=text, header=headers[i] if i < len(headers) else None))
        except SourceError as exc:  # every cell's problem is reported, not only the first
            errors.append(exc)
    errors.extend(_check_unique(cells, file=file, text=text))
    if errors:
        raise errors[0] if len(errors) == 1 else SourceErrors(errors)
    return Topology(cells=tuple(cells), source=file)


def _check_unique(cells: list[Cell], *, file: str, text: str) -> list[CellsDocsError]:
    """Duplicate ids, names and prefixes, and overlapping sequence ranges: every one of them."""
    errors: list[CellsDocsError] = []
    for attr, what in (("id", "id"), ("name", "name"), ("session_prefix", "session_prefix")):
        seen: dict[object, int] = {}
        for index, cell in enumerate(cells):
            value = getattr(cell, attr)
            if value in seen:
                errors.append(
                    SourceError(
                        f"duplicate {what} {value!r}, already used by cells[{seen[value]}]",
                        file=file,
                        line=_key_line(text, cell.line, attr),
                        key=f"cells[{index}].{what}",
                        hint=f"give every cell a unique {what}",
                    )
                )
            seen.setdefault(value, index)
    ordered = sorted(range(len(cells)), key=lambda i: cells[i].sequence_min)
    for before, after in itertools.pairwise(ordered):
        a, b = cells[before], cells[after]
        if b.sequence_min <= a.sequence_max:
            errors.append(
                SourceError(
                    f"sequence_range [{b.sequence_min}, {b.sequence_max}] overlaps cells[{before}] ({a.name}) "
                    f"[{a.sequence_min}, {a.sequence_max}]: IDs would collide across cells",
                    file=file,
                    line=_key_line(text, b.line, "sequence_range"),
                    key=f"cells[{after}].sequence_range",
                    hint=f"start it after {a.sequence_max}",
                )
            )
    return errors


def load_topology(path: Path) -> Topology:
    """Read and parse the topology config at *path*."""
    shown = display_path(path)
    return parse_topology(read_text(path, what="topology config"), file=shown)
