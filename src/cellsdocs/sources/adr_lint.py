"""The ADR linter: the lifecycle of a collection of records holds together.

Statuses are known ones, a superseded record names its successor and the successor names it back,
nothing supersedes itself or goes round in a cycle, numbers are unique, and a record that says it
follows MADR has MADR's sections. Each problem is a one-line :class:`SourceError` naming the file,
the line and the fix.
"""

from __future__ import annotations

import datetime as dt

from cellsdocs.errors import SourceError
from cellsdocs.sources.adrs import MADR_SECTIONS, Adr, AdrCollection

__all__ = ["lint_adrs", "supersede_cycles"]


def supersede_cycles(collection: AdrCollection) -> list[tuple[int, ...]]:
    """Each cycle of the "replaces" relation (``supersedes``, and ``superseded-by`` read backwards),
    as the numbers along it starting from its smallest; a record that supersedes itself is a cycle
    of one."""
    edges: dict[int, set[int]] = {}
    for adr in collection.adrs:
        if adr.number is None:
            continue
        edges.setdefault(adr.number, set()).update(adr.supersedes)
        for newer in adr.superseded_by:
            edges.setdefault(newer, set()).add(adr.number)
    cycles: set[tuple[int, ...]] = set()
    state: dict[int, int] = {}  # 1: on the current path, 2: done

    def visit(start: int) -> None:
        # iterative depth-first search: a long chain of records must not exhaust the stack
        path: list[int] = [start]
        iterators = [iter(sorted(edges.get(start, ())))]
        state[start] = 1
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
                continue
            if state.get(step) == 1:
                loop = path[path.index(step) :]
                first = loop.index(min(loop))
                cycles.add(tuple(loop[first:] + loop[:first]))
            elif step not in state:
                state[step] = 1
                path.append(step)
                iterators.append(iter(sorted(edges.get(step, ()))))

    for number in sorted(edges):
        if number not in state:
            visit(number)
    return sorted(cycles)


def lint_adrs(collection: AdrCollection) -> list[SourceError]:
    """Problems across the records: duplicate numbers, broken or one-way links, missing sections."""
    errors: list[SourceError] = []
    by_number: dict[int, list[Adr]] = {}
    for adr in collection.adrs:
        if adr.number is not None:
            by_number.setdefault(adr.number, []).append(adr)
    free = max(by_number, default=0) + 1
    for number, same in sorted(by_number.items()):
        if len(same) > 1:
            keep, *others = sorted(same, key=lambda a: (a.date or dt.date.max, a.stem))
            for other in others:
                errors.append(
                    SourceError(
                        f"number {number} is also used by {keep.file}",
                        file=other.file,
                        key="number",
                        hint=f"renumber this record to {free:04d} (cells-docs adr renumber {other.stem} {free})",
                    )
                )
                free += 1
    for cycle in supersede_cycles(collection):
        first = collection.by_number(cycle[0])
        file = first.file if first is not None else collection.folder
        key = "supersedes" if first is not None and cycle[-1] in first.supersedes else "superseded-by"
        line = first.line_of(key) if first is not None else None
        if len(cycle) == 1:
            errors.append(
                SourceError(
                    f"ADR {cycle[0]} supersedes itself",
                    file=file,
                    line=line,
                    key=key,
                    hint="name the record it replaces (or that replaces it), not its own number",
                )
            )
            continue
        chain = " -> ".join(str(n) for n in (*cycle, cycle[0]))
        errors.append(
            SourceError(
                f"supersede cycle: ADR {chain} (each replaces the next)",
                file=file,
                line=line,
                key=key,
                hint="a decision cannot replace one that replaces it: remove one link of the cycle",
            )
        )
    for adr in collection.adrs:
        if adr.number is None:
            errors.append(SourceError("the record has no number", file=adr.file, hint="name the file NNNN-title.md"))
        links = (
            ("supersedes", adr.supersedes, "superseded-by"),
            ("superseded-by", adr.superseded_by, "supersedes"),
            ("relates-to", adr.relates_to, None),
        )
        for key, numbers, back in links:
            for number in numbers:
                target = collection.by_number(number)
                if target is None:
                    errors.append(
                        SourceError(
                            f"{key} ADR {number}, which does not exist",
                            file=adr.file,
                            line=adr.line_of(key),
                            key=key,
                            hint="fix the number or remove it",
                        )
                    )
                    continue
                if back is not None and adr.number is not None:
                    back_numbers = target.superseded_by if back == "superseded-by" else target.supersedes
                    if adr.number not in back_numbers:
                        errors.append(
                            SourceError(
                                f"{key} ADR {number}, but {target.file} does not list {adr.number} in {back}",
                                file=adr.file,
                                line=adr.line_of(key),
                                key=key,
                                hint=f"add {adr.number} to {back} of {target.file} "
                                "(cells-docs adr supersede does both)",
                            )
                        )
        if adr.status == "superseded" and not adr.superseded_by:
            errors.append(
                SourceError(
                    "status is superseded but superseded-by is empty",
                    file=adr.file,
                    line=adr.line_of("status"),
                    key="superseded-by",
                    hint="name the record that replaces it",
                )
            )
        if adr.superseded_by and adr.status not in ("superseded", None):
            errors.append(
                SourceError(
                    f"superseded-by is set but status is {adr.status!r}",
                    file=adr.file,
                    line=adr.line_of("status"),
                    key="status",
                    hint="set status: superseded",
                )
            )
        if adr.style == "madr":
            for section in MADR_SECTIONS:
                if section not in adr.sections:
                    errors.append(
                        SourceError(
                            f"missing section '## {section}'", file=adr.file, hint="add it (see adr/template.md)"
                        )
                    )
    return errors
