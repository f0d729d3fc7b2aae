"""Reading source files: one place that turns I/O and decoding problems into SourceError."""

from __future__ import annotations

import errno
import functools
import os
import stat
from pathlib import Path

from cellsdocs.errors import SourceError

__all__ = ["display_path", "read_bytes", "read_text", "regular_file"]

#: refuse absurdly large sources instead of exhausting memory
MAX_SOURCE_BYTES = 32 * 1024 * 1024
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def display_path(path: Path) -> str:
    """A path as shown in messages: relative to the working directory when under it."""
    try:
        return str(path.resolve().relative_to(_resolved(str(Path.cwd()))))
    except (ValueError, OSError, RuntimeError):  # outside the cwd; a symlink loop; a name too long
        return str(path)


@functools.lru_cache(maxsize=64)
def _resolved(folder: str) -> Path:
    """A folder resolved once (the working directory, the source folders: asked for every file)."""
    return Path(folder).resolve()


def _os_problem(exc: OSError, what: str) -> str:
    if exc.errno == errno.ELOOP:
        return f"{what} is a symlink loop (or a chain of more than 40 symlinks)"
    if exc.errno == errno.ENAMETOOLONG:
        return f"{what} has a name longer than the system allows"
    if exc.errno == errno.EACCES:
        return f"cannot read {what}: permission denied"
    return f"cannot read {what}: {exc.strerror or exc}"


def _refuse_outside(path: Path, within: Path, what: str) -> None:
    try:
        inside = path.resolve().is_relative_to(_resolved(str(within)))
    except RuntimeError as exc:  # Python 3.11 reports a symlink loop so
        raise SourceError(
            f"{what} is a symlink loop", file=display_path(path), hint="replace the symlink with the file"
        ) from exc
    except OSError as exc:
        raise SourceError(_os_problem(exc, what), file=display_path(path)) from exc
    if not inside:
        raise SourceError(
            f"{what} resolves outside {display_path(within)} (to {path.resolve()})",
            file=display_path(path),
            hint="replace the symlink with the file itself",
        )


def regular_file(path: Path, *, what: str, within: Path | None = None) -> os.stat_result:
    """Check, without opening it, that *path* is a regular file (symlinks followed); return its stat.

    FIFOs, devices, sockets and folders are refused (reading a FIFO waits forever, ``/dev/zero``
    never ends), as are symlink loops, over-long names and, with *within*, paths that resolve
    outside that folder. Every refusal is a one-line SourceError naming the file.
    """
    if within is not None:
        _refuse_outside(path, within, what)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise SourceError(
            f"{what} not found", file=display_path(path), hint="create it or point the matching CELLS_* variable at it"
        ) from exc
    except OSError as exc:
        raise SourceError(_os_problem(exc, what), file=display_path(path)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(f"{what} is a directory, expected a file", file=display_path(path))
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
        raise SourceError(
            f"{what} is not a regular file: it is {kind}",
            file=display_path(path),
            hint="replace it with a regular file",
        )
    if info.st_size > MAX_SOURCE_BYTES:
        raise SourceError(
            f"{what} is {info.st_size} bytes, larger than the {MAX_SOURCE_BYTES} byte limit",
            file=display_path(path),
            hint="split the file",
        )
    return info


def read_bytes(path: Path, *, what: str, within: Path | None = None) -> bytes:
    """The bytes of a regular source file (see :func:`regular_file`), at most MAX_SOURCE_BYTES."""
    regular_file(path, what=what, within=within)
    try:
        # O_NONBLOCK: if the file was swapped for a FIFO since the check, opening does not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SourceError(
                    f"{what} is not a regular file", file=display_path(path), hint="replace it with a regular file"
                )
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise SourceError(_os_problem(exc, what), file=display_path(path)) from exc
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(
            f"{what} is larger than the {MAX_SOURCE_BYTES} byte limit", file=display_path(path), hint="split the file"
        )
    return data


def read_text(path: Path, *, what: str, within: Path | None = None) -> str:
    """Read a UTF-8 source file, or raise a one-line SourceError naming it.

    Only regular files are read (see :func:`regular_file`); with *within*, a path that resolves
    outside that folder (a symlink out of the tree) is refused.
    """
    data = read_bytes(path, what=what, within=within)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            file=display_path(path),
            line=line,
            hint="save the file as UTF-8",
        ) from exc
    return text.removeprefix("\ufeff")
