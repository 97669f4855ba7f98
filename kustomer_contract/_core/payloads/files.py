"""Finding, opening and reading payload files and standard input; each by its kind."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import IO, cast

from ..text import one_line as _one_line
from . import base as limits  # read at call time: tests lower them
from .base import (
    DEFAULT_GLOBS,
    KINDS,
    SUFFIX_KINDS,
    LocatedProblem,
    Payload,
    ReadProblem,
    Settled,
    decode,
    open_message,
    too_big,
)
from .jsonl import read_jsonl, split_lines
from .jsontext import NEEDS_EXACT, LazyPositions, parse_fast, parse_json_text, read_json_text

# ---------------------------------------------------------------------------
# Entry points


@dataclass(frozen=True)
class Skipped:
    """Something found while walking a directory that is not read, and why (one line)."""

    source: str
    message: str


def display_path(path: str | bytes | os.PathLike) -> str:
    """``path`` as text that is always valid UTF-8: undecodable bytes become ``\\xNN``.

    A file name is bytes on POSIX; Python keeps the undecodable ones as lone surrogates,
    which would write invalid UTF-8 into a JSON report (or fail to print at all).
    """
    name = os.fsdecode(path)
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a file name
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def read_payloads(
    path: str | Path, *, kind: str | None = None, settled: Settled | None = None
) -> Iterator[Payload | ReadProblem]:
    """Yield each payload of ``path`` (``"-"`` = stdin), or a ReadProblem where reading fails.

    ``kind`` is "json", "jsonl", "yaml" or None (from the suffix, else from the content).
    JSON Lines streams: a bad line yields a problem and reading goes on; a bad JSON or
    YAML file yields one problem and stops (a refused YAML document skips to the next).
    JSON Lines payloads have ``index`` = line number - 1 (blank lines are skipped).
    Devices and FIFOs are read too, never more than the size limits allow.
    ``settled``: JSON Lines payloads it takes (see ``Settled``) are counted there, not yielded.
    """
    if kind is not None and kind not in KINDS:
        # A caller bug, not bad input: fail at the call rather than inside the iteration.
        raise ValueError(f"kind must be one of {', '.join(KINDS)} or None, not {kind!r}")
    stdin = str(path) == "-"
    return _guarded(path, kind, "<stdin>" if stdin else display_path(path), stdin, settled)


def read_lines(
    path: str | Path, *, max_total: int | None = None
) -> Iterator[tuple[int, bytes] | ReadProblem]:
    """(line number, line without its end of line) for each line of ``path`` (``"-"`` = stdin).

    The caps of JSON Lines payloads apply: a line longer than limits.MAX_FILE_BYTES is a problem
    (and skipped); ``max_total`` bytes read in all end the reading with a problem at line 0.
    Reading never blocks on a FIFO without a writer, and never holds more than one line.
    """
    source = "<stdin>" if str(path) == "-" else display_path(path)
    try:
        if str(path) == "-":
            binary = _stdin_binary()
            if binary is None:
                yield _no_stdin(source)
                return
            yield from _numbered(split_lines(binary.readline, source, max_total))
            return
        try:
            handle, info = _open_binary(os.fspath(path), buffered=True)
        except (OSError, ValueError) as exc:
            yield ReadProblem(source, 0, 0, open_message(exc))
            return
        with handle:
            # A FIFO is never a regular file, so _open_binary gave a buffered reader.
            if stat.S_ISFIFO(info.st_mode) and not cast(io.BufferedReader, handle).peek(1):
                yield _no_writer(source)
                return
            yield from _numbered(split_lines(handle.readline, source, max_total))
    except Exception as exc:  # the contract is "never a traceback"
        message = f"internal error while reading ({type(exc).__name__}: {exc}); please report it"
        yield ReadProblem(source, 0, 0, _one_line(message))


def _numbered(
    lines: Iterator[tuple[int, int, bytes] | ReadProblem],
) -> Iterator[tuple[int, bytes] | ReadProblem]:
    for item in lines:
        yield item if isinstance(item, ReadProblem) else (item[0], item[2])


def iter_payload_files(
    paths: Sequence[str], glob: str | None = None
) -> Iterator[Path | str | Skipped]:
    """Files as given, directories walked in sorted order for payload files; "-" kept.

    In directories only names matching ``glob`` (or the payload suffixes) are taken, and
    hidden directories (``.git``, ``.venv``...) are skipped.  Symlinked directories are
    followed, each directory searched once (by device and inode, so a link loop ends).
    What a walk finds but does not read (FIFOs, devices, sockets, a directory reached a
    second time) comes as a :class:`Skipped`, never silently.  Missing paths and
    directories that cannot be listed are passed on, so that :func:`read_payloads`
    reports them.  Files named directly are passed on whatever they are.
    """
    for given in paths:
        if given == "-":
            yield "-"
            continue
        root = Path(given)
        # os.path.isdir, unlike Path.is_dir, never raises (permission, NUL in the name).
        if not os.path.isdir(given):
            yield root
            continue
        yield from _walk(root, glob)


def _walk(root: Path, glob: str | None) -> Iterator[Path | Skipped]:
    unlisted: list[OSError] = []
    searched: dict[tuple[int, int], str] = {}
    with contextlib.suppress(OSError):
        searched[_identity(os.stat(root))] = display_path(root)
    for top, dirs, files in os.walk(root, onerror=unlisted.append, followlinks=True):
        notes: list[Skipped] = []
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            subdir = os.path.join(top, name)
            try:
                key = _identity(os.stat(subdir))
            except OSError:
                kept.append(name)  # os.walk reports it through onerror
                continue
            first = searched.setdefault(key, display_path(subdir))
            if first != display_path(subdir):
                notes.append(
                    Skipped(
                        display_path(subdir),
                        f"skipped: the same directory as {first}, already searched "
                        "(a symlink leads to it again)",
                    )
                )
                continue
            kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            full = Path(top, name)
            relative = None if glob is None else full.relative_to(root).as_posix()
            if not _wanted(name, relative, glob):
                continue
            try:
                mode = os.stat(full).st_mode
            except OSError:
                yield full  # a broken symlink, say: read_payloads tells what is wrong
                continue
            if stat.S_ISREG(mode):
                yield full
            else:
                notes.append(Skipped(display_path(full), _not_regular(mode)))
        yield from notes
        # Reported rather than silently skipped: a validator must not miss files.
        while unlisted:
            yield Path(unlisted.pop(0).filename or top)
    for error in unlisted:  # the root itself could not be listed
        yield Path(error.filename or root)


def _identity(info: os.stat_result) -> tuple[int, int]:
    return (info.st_dev, info.st_ino)


def _not_regular(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        what = "a FIFO (named pipe)"
    elif stat.S_ISCHR(mode):
        what = "a character device"
    elif stat.S_ISBLK(mode):
        what = "a block device"
    elif stat.S_ISSOCK(mode):
        return "skipped: a socket, not a regular file"
    else:
        what = "not a regular file"
    # Reading one could block or never end: only on request, then within the size limits.
    return f"skipped: {what}, not a regular file; name it on the command line to read it"


def _wanted(name: str, relative: str | None, glob: str | None) -> bool:
    """``relative`` (the path below the walked folder) is only needed, and given, with a glob."""
    if glob is None or relative is None:
        return any(fnmatchcase(name.lower(), pattern) for pattern in DEFAULT_GLOBS)
    return fnmatchcase(name, glob) or fnmatchcase(relative, glob)


def _guarded(
    path: str | Path, kind: str | None, source: str, stdin: bool, settled: Settled | None
) -> Iterator[Payload | ReadProblem]:
    try:
        if stdin:
            yield from _read_stdin(kind, source, settled)
        else:
            yield from _read_file(os.fspath(path), kind, source, settled)
    except Exception as exc:  # the contract is "never a traceback"
        message = f"internal error while reading ({type(exc).__name__}: {exc}); please report it"
        yield ReadProblem(source, 0, 0, _one_line(message))


def _open_binary(path: str, *, buffered: bool) -> tuple[IO[bytes], os.stat_result]:
    """Open for reading without blocking on a FIFO that has no writer yet.

    O_NONBLOCK makes open() return at once; it is then cleared on anything that is not a
    regular file, so that reads wait for data as on stdin (a FIFO with no writer reads
    as empty).  Directories raise IsADirectoryError, as open() does.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(info.st_mode):
            os.set_blocking(fd, True)
        # Unbuffered for whole regular files: one read() call, no 8 KB buffer per small
        # file.  Anything else is buffered, so that a FIFO can be peeked at.
        buffered = buffered or not stat.S_ISREG(info.st_mode)
        return open(fd, "rb", buffering=-1 if buffered else 0), info
    except BaseException:
        os.close(fd)
        raise


def _read_file(
    path: str, kind: str | None, source: str, settled: Settled | None
) -> Iterator[Payload | ReadProblem]:
    # os.path rather than pathlib: this runs once per file and pathlib costs ~10 us.
    kind = kind or SUFFIX_KINDS.get(os.path.splitext(path)[1].lower())
    try:
        handle, info = _open_binary(path, buffered=kind in (None, "jsonl"))
    except (OSError, ValueError) as exc:
        yield ReadProblem(source, 0, 0, open_message(exc))
        return
    with handle:
        regular = stat.S_ISREG(info.st_mode)
        try:
            # A FIFO is never a regular file, so _open_binary gave a buffered reader.
            if stat.S_ISFIFO(info.st_mode) and not cast(io.BufferedReader, handle).peek(1):
                yield _no_writer(source)
                return
            if kind == "jsonl":
                yield from read_jsonl(handle.readline, source, settled=settled)
                return
            if regular and info.st_size > limits.MAX_FILE_BYTES:
                if kind:
                    yield too_big(source, kind)
                else:
                    # Too big to be one JSON/YAML document: only JSON Lines can be meant.
                    yield from read_jsonl(handle.readline, source, guessed=True, settled=settled)
                return
            # A device or FIFO has no size: the limit is applied while reading.
            data = _read_up_to(handle.read, limits.MAX_FILE_BYTES + 1, info.st_size if regular else 0)
        except OSError as exc:
            yield ReadProblem(source, 0, 0, open_message(exc))
            return
        yield from _read_bytes(data, handle.readline, kind, source, settled)


def _stdin_binary() -> IO[bytes] | None:
    """Standard input as a binary stream, or None when there is none (``<&-``)."""
    stream = sys.stdin
    if stream is None:
        return None
    binary = getattr(stream, "buffer", None)
    if binary is None:
        # A test double or wrapper without .buffer: it may hand back str or bytes.
        content = stream.read()
        if isinstance(content, str):
            # surrogatepass keeps lone surrogates visible as invalid UTF-8 instead of raising.
            content = content.encode("utf-8", "surrogatepass")
        binary = io.BytesIO(content)
    return binary


def _no_stdin(source: str) -> ReadProblem:
    return ReadProblem(source, 0, 0, "no standard input is attached: pass a file path")


def _no_writer(source: str) -> ReadProblem:
    return ReadProblem(
        source,
        0,
        0,
        "a FIFO (named pipe) with no writer, so nothing to read: start the program that "
        "writes it first, or pipe its output into standard input (-)",
    )


def _read_stdin(
    kind: str | None, source: str, settled: Settled | None
) -> Iterator[Payload | ReadProblem]:
    binary = _stdin_binary()
    if binary is None:
        yield _no_stdin(source)
        return
    try:
        if kind == "jsonl":
            yield from read_jsonl(binary.readline, source, settled=settled)
            return
        data = _read_up_to(binary.read, limits.MAX_FILE_BYTES + 1, 0)
    except OSError as exc:
        yield ReadProblem(source, 0, 0, open_message(exc))
        return
    yield from _read_bytes(data, binary.readline, kind, source, settled)


def _read_up_to(read: Callable[[int], bytes], limit: int, size_hint: int) -> bytes:
    """At most ``limit`` bytes, read in pieces.

    ``read(limit)`` would allocate the full 50 MB up front on every call, which made
    reading many small files several times slower.
    """
    chunks = []
    total = 0
    # size_hint + 1 reads a regular file whole in one call and sees EOF on the next.
    want = min(size_hint + 1, limit) if size_hint else min(1 << 16, limit)
    while total < limit:
        chunk = read(min(want, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        want = 1 << 20
    return b"".join(chunks)


def _read_bytes(
    data: bytes,
    readline: Callable[[int], bytes],
    kind: str | None,
    source: str,
    settled: Settled | None = None,
) -> Iterator[Payload | ReadProblem]:
    """Dispatch ``data`` (at most limits.MAX_FILE_BYTES + 1 bytes; ``readline`` gives the rest)."""
    if len(data) > limits.MAX_FILE_BYTES:
        if kind is not None:
            yield too_big(source, kind)
            return
        # Too big to be one JSON/YAML document, so it can only be a JSON Lines stream.
        yield from read_jsonl(
            _Chained(data, readline).readline, source, guessed=True, settled=settled
        )
        return
    try:
        text = decode(data)
    except LocatedProblem as problem:
        yield ReadProblem(source, problem.line, problem.col, problem.message)
        return
    if kind == "json":
        value = parse_fast(data)  # most files: orjson, positions only when one is asked
        if value is not NEEDS_EXACT:
            yield Payload(source, 0, value, LazyPositions(text, 1))
            return
        yield read_json_text(text, source, 0, 1, per_line=False)
    elif kind == "yaml":
        from .yamltext import read_yaml  # PyYAML's import is a third of a short JSON run

        yield from read_yaml(text, source)
    elif kind == "jsonl":
        yield from read_jsonl(io.BytesIO(data).readline, source, settled=settled)
    else:
        yield from _read_guessed(data, text, source)


def _read_guessed(data: bytes, text: str, source: str) -> Iterator[Payload | ReadProblem]:
    """One JSON value, else JSON Lines (first line is JSON on its own), else YAML."""
    as_json, syntax_error = parse_json_text(text, source, 0, 1, per_line=False)
    if not syntax_error:
        # A duplicate key or NaN is still JSON: report it as such, YAML would hide it.
        yield as_json
        return
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        if not parse_json_text(lines[0], source, 0, 1, per_line=True)[1]:
            yield from read_jsonl(io.BytesIO(data).readline, source)
            return
    from .yamltext import read_yaml

    as_yaml = list(read_yaml(text, source))
    broken_yaml = any(isinstance(item, ReadProblem) for item in as_yaml)
    if broken_yaml and text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[", '"'):
        # It was meant as JSON; the JSON message is the more useful one.
        yield as_json
        return
    yield from as_yaml


class _Chained:
    """``readline`` over bytes already read followed by the rest of the stream."""

    def __init__(self, head: bytes, readline: Callable[[int], bytes]) -> None:
        self._head = io.BytesIO(head)
        self._rest = readline

    def readline(self, limit: int = -1) -> bytes:
        line = self._head.readline(limit)
        if line.endswith(b"\n") or (limit >= 0 and len(line) >= limit):
            return line
        return line + self._rest(limit - len(line) if limit >= 0 else -1)


