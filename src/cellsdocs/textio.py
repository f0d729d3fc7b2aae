"""Reading source files: one place that turns I/O and decoding problems into SourceError."""

from __future__ import annotations

from pathlib import Path

from .errors import SourceError

__all__ = ["display_path", "read_text"]

#: refuse absurdly large sources instead of exhausting memory
MAX_SOURCE_BYTES = 32 * 1024 * 1024


def display_path(path: Path) -> str:
    """A path as shown in messages: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path, *, what: str, within: Path | None = None) -> str:
    """Read a UTF-8 source file, or raise a one-line SourceError naming it.

    With *within*, a path that resolves outside that folder (a symlink out of the tree) is refused.
    """
    shown = display_path(path)
    if within is not None and not path.resolve().is_relative_to(within.resolve()):
        raise SourceError(
            f"{what} resolves outside {display_path(within)} (to {path.resolve()})",
            file=shown,
            hint="replace the symlink with the file itself",
        )
    if not path.exists():
        raise SourceError(
            f"{what} not found", file=shown, hint="create it or point the matching CELLS_* variable at it"
        )
    if path.is_dir():
        raise SourceError(f"{what} is a directory, expected a file", file=shown)
    try:
        size = path.stat().st_size
        if size > MAX_SOURCE_BYTES:
            raise SourceError(
                f"{what} is {size} bytes, larger than the {MAX_SOURCE_BYTES} byte limit",
                file=shown,
                hint="split the file",
            )
        data = path.read_bytes()
    except PermissionError as exc:
        raise SourceError(f"cannot read {what}: permission denied", file=shown, hint="make it readable") from exc
    except OSError as exc:
        raise SourceError(f"cannot read {what}: {exc.strerror}", file=shown) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            file=shown,
            line=line,
            hint="save the file as UTF-8",
        ) from exc
    return text.removeprefix("\ufeff")
