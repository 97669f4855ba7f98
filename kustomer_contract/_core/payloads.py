"""Read payload files (JSON, JSON Lines, YAML) with the source position of every value.

Each payload comes with a map from JSON pointer to the (line, column) where that
value starts, so a schema error can point at the exact spot in the file.  Input is
untrusted: every failure becomes a :class:`ReadProblem` with a position and a
one-line message; nothing here raises on bad bytes.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import stat
import sys
from bisect import bisect_right
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from itertools import accumulate
from json.decoder import JSONDecodeError, scanstring  # type: ignore[attr-defined]  # not in typeshed
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any, cast

import yaml
import yaml.constructor
import yaml.events as ev
import yaml.nodes
import yaml.reader

from .pointer import escape as _escape
from .pointer import join as json_pointer
from .pointer import tokens
from .text import one_line as _one_line

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Payload",
    "ReadProblem",
    "Skipped",
    "display_path",
    "iter_payload_files",
    "json_pointer",
    "read_lines",
    "read_payloads",
]

MAX_FILE_BYTES = 50_000_000
"""Largest JSON/YAML file (and largest single JSON Lines line) read, in bytes."""
MAX_DEPTH = 1000
"""Deepest nesting of lists/objects accepted."""
MAX_ALIAS_VALUES = 10_000
"""Most values YAML aliases may add to one document (stops "billion laughs")."""

KINDS = ("json", "jsonl", "yaml")
_SUFFIX_KINDS = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
}
_DEFAULT_GLOBS = ("*.json", "*.jsonl", "*.ndjson", "*.yaml", "*.yml")
_BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------------------
# Public data types


@dataclass(frozen=True)
class Payload:
    """One parsed payload and where each of its values starts in the file."""

    source: str
    index: int
    value: object
    # repr=False: the map can be as large as the payload and may be computed lazily.
    positions: Mapping[str, tuple[int, int]] = field(repr=False)

    def position(self, pointer: str) -> tuple[int, int]:
        """(line, col) of ``pointer``, or of its nearest ancestor that has one."""
        positions = self.positions
        while True:
            found = positions.get(pointer)
            if found is not None:
                return found
            if not pointer:
                return (0, 0)
            cut = pointer.rfind("/")
            pointer = pointer[:cut] if cut > 0 else ""

    def locate(self, pointers: Iterable[str]) -> None:
        """Find the positions of these pointers in one pass, the others never: a payload with
        a million problems shows 20, and holds no position for the rest."""
        if isinstance(self.positions, _LazyPositions):
            self.positions.prefetch(pointers)

    def document_order(self) -> Callable[[str], tuple[int, ...]]:
        """A sort key: where a pointer stands in the file, as key and item indexes from the
        root. It sorts as positions do (parsers keep keys in file order), with no position
        map; each object's key order is built once, on first use, and dies with the key."""
        key_orders: dict[int, dict[str, int]] = {}  # id of an object of this payload's value

        def order(pointer: str) -> tuple[int, ...]:
            value, out = self.value, []
            for key in tokens(pointer):
                if isinstance(value, dict) and key in value:
                    keys = key_orders.get(id(value))
                    if keys is None:  # list(d).index would be O(n) per problem
                        keys = key_orders[id(value)] = {k: i for i, k in enumerate(value)}
                    out.append(keys[key])
                    value = value[key]
                elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                    out.append(int(key))
                    value = value[int(key)]
                else:
                    break
            return tuple(out)

        return order


@dataclass(frozen=True)
class ReadProblem:
    """Why (part of) a file could not be read; line/col are 1-based, 0 = whole file."""

    source: str
    line: int
    col: int
    message: str


# ---------------------------------------------------------------------------
# Internal errors (never escape this module)


class _Problem(Exception):
    """A located problem; ``syntax`` tells a malformed text from a refused value."""

    def __init__(self, line: int, col: int, message: str, *, syntax: bool = True) -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.syntax = line, col, message, syntax
        self.depth = 0  # YAML: nesting level where the problem was found
        self.stop = False  # YAML: do not try the following documents


class _Bad(Exception):
    """A JSON problem at a character offset, located into line/col by the caller."""

    def __init__(self, offset: int, message: str, *, syntax: bool = True) -> None:
        super().__init__(message)
        self.offset, self.message, self.syntax = offset, message, syntax


class _Refused(Exception):
    """Raised from json.loads hooks to send the text to the exact scanner."""


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


def read_payloads(path: str | Path, *, kind: str | None = None) -> Iterator[Payload | ReadProblem]:
    """Yield each payload of ``path`` (``"-"`` = stdin), or a ReadProblem where reading fails.

    ``kind`` is "json", "jsonl", "yaml" or None (from the suffix, else from the content).
    JSON Lines streams: a bad line yields a problem and reading goes on; a bad JSON or
    YAML file yields one problem and stops (a refused YAML document skips to the next).
    JSON Lines payloads have ``index`` = line number - 1 (blank lines are skipped).
    Devices and FIFOs are read too, never more than the size limits allow.
    """
    if kind is not None and kind not in KINDS:
        # A caller bug, not bad input: fail at the call rather than inside the iteration.
        raise ValueError(f"kind must be one of {', '.join(KINDS)} or None, not {kind!r}")
    stdin = str(path) == "-"
    return _guarded(path, kind, "<stdin>" if stdin else display_path(path), stdin)


def read_lines(
    path: str | Path, *, max_total: int | None = None
) -> Iterator[tuple[int, bytes] | ReadProblem]:
    """(line number, line without its end of line) for each line of ``path`` (``"-"`` = stdin).

    The caps of JSON Lines payloads apply: a line longer than MAX_FILE_BYTES is a problem
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
            yield from _numbered(_lines(binary.readline, source, max_total))
            return
        try:
            handle, info = _open_binary(os.fspath(path), buffered=True)
        except (OSError, ValueError) as exc:
            yield ReadProblem(source, 0, 0, _open_message(exc))
            return
        with handle:
            # A FIFO is never a regular file, so _open_binary gave a buffered reader.
            if stat.S_ISFIFO(info.st_mode) and not cast(io.BufferedReader, handle).peek(1):
                yield _no_writer(source)
                return
            yield from _numbered(_lines(handle.readline, source, max_total))
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
            if not _wanted(name, full.relative_to(root).as_posix(), glob):
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


def _wanted(name: str, relative: str, glob: str | None) -> bool:
    if glob is None:
        return any(fnmatchcase(name.lower(), pattern) for pattern in _DEFAULT_GLOBS)
    return fnmatchcase(name, glob) or fnmatchcase(relative, glob)


def _guarded(
    path: str | Path, kind: str | None, source: str, stdin: bool
) -> Iterator[Payload | ReadProblem]:
    try:
        if stdin:
            yield from _read_stdin(kind, source)
        else:
            yield from _read_file(os.fspath(path), kind, source)
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


def _read_file(path: str, kind: str | None, source: str) -> Iterator[Payload | ReadProblem]:
    # os.path rather than pathlib: this runs once per file and pathlib costs ~10 us.
    kind = kind or _SUFFIX_KINDS.get(os.path.splitext(path)[1].lower())
    try:
        handle, info = _open_binary(path, buffered=kind in (None, "jsonl"))
    except (OSError, ValueError) as exc:
        yield ReadProblem(source, 0, 0, _open_message(exc))
        return
    with handle:
        regular = stat.S_ISREG(info.st_mode)
        try:
            # A FIFO is never a regular file, so _open_binary gave a buffered reader.
            if stat.S_ISFIFO(info.st_mode) and not cast(io.BufferedReader, handle).peek(1):
                yield _no_writer(source)
                return
            if kind == "jsonl":
                yield from _read_jsonl(handle.readline, source)
                return
            if regular and info.st_size > MAX_FILE_BYTES:
                if kind:
                    yield _too_big(source, kind)
                else:
                    # Too big to be one JSON/YAML document: only JSON Lines can be meant.
                    yield from _read_jsonl(handle.readline, source, guessed=True)
                return
            # A device or FIFO has no size: the limit is applied while reading.
            data = _read_up_to(handle.read, MAX_FILE_BYTES + 1, info.st_size if regular else 0)
        except OSError as exc:
            yield ReadProblem(source, 0, 0, _open_message(exc))
            return
        yield from _read_bytes(data, handle.readline, kind, source)


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


def _read_stdin(kind: str | None, source: str) -> Iterator[Payload | ReadProblem]:
    binary = _stdin_binary()
    if binary is None:
        yield _no_stdin(source)
        return
    try:
        if kind == "jsonl":
            yield from _read_jsonl(binary.readline, source)
            return
        data = _read_up_to(binary.read, MAX_FILE_BYTES + 1, 0)
    except OSError as exc:
        yield ReadProblem(source, 0, 0, _open_message(exc))
        return
    yield from _read_bytes(data, binary.readline, kind, source)


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
    data: bytes, readline: Callable[[int], bytes], kind: str | None, source: str
) -> Iterator[Payload | ReadProblem]:
    """Dispatch ``data`` (at most MAX_FILE_BYTES + 1 bytes; ``readline`` gives the rest)."""
    if len(data) > MAX_FILE_BYTES:
        if kind is not None:
            yield _too_big(source, kind)
            return
        # Too big to be one JSON/YAML document, so it can only be a JSON Lines stream.
        yield from _read_jsonl(_Chained(data, readline).readline, source, guessed=True)
        return
    try:
        text = _decode(data)
    except _Problem as problem:
        yield ReadProblem(source, problem.line, problem.col, problem.message)
        return
    if kind == "json":
        yield _read_json_text(text, source, 0, 1, per_line=False)
    elif kind == "yaml":
        yield from _read_yaml(text, source)
    elif kind == "jsonl":
        yield from _read_jsonl(io.BytesIO(data).readline, source)
    else:
        yield from _read_guessed(data, text, source)


def _read_guessed(data: bytes, text: str, source: str) -> Iterator[Payload | ReadProblem]:
    """One JSON value, else JSON Lines (first line is JSON on its own), else YAML."""
    as_json, syntax_error = _parse_json_text(text, source, 0, 1, per_line=False)
    if not syntax_error:
        # A duplicate key or NaN is still JSON: report it as such, YAML would hide it.
        yield as_json
        return
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        if not _parse_json_text(lines[0], source, 0, 1, per_line=True)[1]:
            yield from _read_jsonl(io.BytesIO(data).readline, source)
            return
    as_yaml = list(_read_yaml(text, source))
    broken_yaml = any(isinstance(item, ReadProblem) for item in as_yaml)
    if broken_yaml and text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[", '"'):
        # It was meant as JSON; the JSON message is the more useful one.
        yield as_json
        return
    yield from as_yaml


def _too_big(source: str, kind: str, *, first_line: bool = False) -> ReadProblem:
    mb = MAX_FILE_BYTES // 1_000_000
    if first_line:
        # Read as JSON Lines because it was too big, and it was not that either.
        message = (
            f"file is larger than {mb} MB, the limit for a JSON or YAML file, and its first "
            f"line is longer than {mb} MB, the limit for a JSON Lines line: split it"
        )
    else:
        message = (
            f"file is larger than {mb} MB, the limit for a {kind.upper()} file: split it, or "
            "write it as JSON Lines (.jsonl) to stream it"
        )
    return ReadProblem(source, 0, 0, message)


def _open_message(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        if exc.filename and os.path.islink(exc.filename):
            return "a symlink to a file that does not exist: fix or remove the link"
        return "file not found: check the path"
    if isinstance(exc, IsADirectoryError):
        if exc.filename and not os.access(exc.filename, os.R_OK | os.X_OK):
            return "permission denied: this directory cannot be listed"
        return "is a directory, not a payload file"
    if isinstance(exc, PermissionError):
        return "permission denied: the file is not readable by this user"
    if isinstance(exc, OSError) and exc.errno == errno.ENXIO:
        return "a socket or a device with nothing behind it: there is no file to read"
    if isinstance(exc, OSError):
        return _one_line(f"cannot read the file: {exc.strerror or exc}")
    return _one_line(f"cannot open this path: {exc}")


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


# ---------------------------------------------------------------------------
# Text decoding


def _decode(data: bytes, *, first_line: int = 1, base_offset: int = 0) -> str:
    """Strict UTF-8 (a leading BOM skipped); a bad byte becomes a located _Problem."""
    if data.startswith(_BOM):
        # The BOM is invisible in editors, so it takes no column.
        data, base_offset = data[3:], base_offset + 3
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = first_line + data.count(b"\n", 0, start)
        line_start = data.rfind(b"\n", 0, start) + 1
        col = len(data[line_start:start].decode("utf-8", "replace")) + 1
        where = f"byte 0x{data[start]:02x} at byte offset {base_offset + start}"
        if base_offset + start == 0 and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = "the file looks like UTF-16; save it as UTF-8"
        else:
            hint = "payload files must be UTF-8; re-save the file as UTF-8"
        raise _Problem(line, col, f"invalid UTF-8 ({where}): {hint}") from None


# ---------------------------------------------------------------------------
# JSON Lines


def _lines(
    readline: Callable[[int], bytes], source: str, max_total: int | None = None
) -> Iterator[tuple[int, int, bytes] | ReadProblem]:
    """(line number, byte offset, content without its end of line) for each line.

    Shared by JSON Lines payloads and ``trace``: no line longer than MAX_FILE_BYTES is
    held, the rest of an over-long line is skipped only as far as another MAX_FILE_BYTES
    (an endless stream such as /dev/zero has no end of line), and ``max_total`` bytes
    read in all stop the reading.  Every read is bounded, so Ctrl-C is seen in between.
    """
    limit = MAX_FILE_BYTES
    line_no = 0
    offset = 0
    while True:
        if max_total is not None and offset > max_total:
            yield ReadProblem(
                source,
                0,
                0,
                f"larger than {max_total // 1_000_000} MB, the limit: the rest was not read; "
                "split it into smaller files",
            )
            return
        try:
            # +2 leaves room for the "\r\n" of a line that is exactly at the limit.
            raw = readline(limit + 3)
        except OSError as exc:
            yield ReadProblem(source, line_no + 1, 0, _open_message(exc))
            return
        if not raw:
            return
        line_no += 1
        line_offset = offset
        offset += len(raw)
        content = raw[:-1] if raw.endswith(b"\n") else raw
        if content.endswith(b"\r"):
            content = content[:-1]
        if len(content) <= limit:
            yield line_no, line_offset, content
            continue
        # Skip the rest of the line in bounded chunks, never holding it whole.
        skipped = 0
        while raw and not raw.endswith(b"\n"):
            if skipped > limit or (max_total is not None and offset > max_total):
                break
            try:
                raw = readline(1 << 20)
            except OSError:
                break
            offset += len(raw)
            skipped += len(raw)
        endless = skipped > limit and bool(raw) and not raw.endswith(b"\n")
        message = f"line is longer than {limit // 1_000_000} MB: split the payload or shorten it"
        if endless:
            message += (
                f"; no end of line in the next {limit // 1_000_000} MB, the rest was not read"
            )
        yield ReadProblem(source, line_no, 1, message)
        if endless:
            return


def _read_jsonl(
    readline: Callable[[int], bytes], source: str, *, guessed: bool = False
) -> Iterator[Payload | ReadProblem]:
    """Stream one payload per line; memory stays bounded by the longest line.

    ``guessed``: read as JSON Lines only because it is too big for one JSON/YAML document.
    """
    for item in _lines(readline, source):
        if isinstance(item, ReadProblem):
            if guessed and item.line == 1:
                # Not JSON Lines either: say what the file is, not what its first line is.
                yield _too_big(source, "json", first_line=True)
                return
            yield item
            continue
        line_no, line_offset, content = item
        if not content.strip(b" \t\r") or (line_no == 1 and content == _BOM):
            continue
        try:
            text = _decode(content, first_line=line_no, base_offset=line_offset)
        except _Problem as problem:
            yield ReadProblem(source, problem.line, problem.col, problem.message)
            continue
        yield _read_json_text(text, source, line_no - 1, line_no, per_line=True)


# ---------------------------------------------------------------------------
# JSON: fast value via json.loads, exact positions via a scanner on demand


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused
    return result


def _refuse_constant(name: str) -> object:
    raise _Refused


def _checked_float(token: str) -> float:
    # Called by json.loads only for numbers with a fraction or exponent, so it is cheap.
    number = float(token)
    if number in _INFINITIES:
        raise _Refused
    return number


_INFINITIES = (float("inf"), float("-inf"))
# One shared decoder: json.loads(**hooks) would build a new one for every payload.
_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant, parse_float=_checked_float
)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _may_hold_surrogate(text: str) -> bool:
    # json.loads decodes a lone "\ud800" into a str that cannot be encoded later;
    # a plain substring test first keeps the common case at C speed.
    return ("\\ud" in text or "\\uD" in text) and _SURROGATE_ESCAPE.search(text) is not None


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _deeper_than_limit(text: str) -> bool:
    # Only called on text json.loads accepted, so removing strings leaves exact brackets.
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > MAX_DEPTH


def parse_json(
    text: str, source: str = "<text>", index: int = 0, line: int = 1
) -> Payload | ReadProblem:
    """One JSON value from text (e.g. a line of a trace), refused as ``read_payloads`` would:
    duplicate keys, NaN and Infinity, nesting past the limit; ``line`` is where it starts."""
    try:
        return _read_json_text(text, source, index, line, per_line=True)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a user's file
        return ReadProblem(source, line, 0, f"internal error reading JSON: {exc!r}")


def _read_json_text(
    text: str, source: str, index: int, first_line: int, *, per_line: bool
) -> Payload | ReadProblem:
    """Parse one JSON value; ``first_line`` is the file line where ``text`` starts."""
    return _parse_json_text(text, source, index, first_line, per_line=per_line)[0]


def _parse_json_text(
    text: str, source: str, index: int, first_line: int, *, per_line: bool
) -> tuple[Payload | ReadProblem, bool]:
    """Like _read_json_text, plus whether a problem is malformed text (not a refused value)."""
    try:
        value = _DECODER.decode(text)
        exact = _may_hold_surrogate(text) or _deeper_than_limit(text)
    except (ValueError, RecursionError, _Refused):
        # Includes over-long integers (ValueError) and deep nesting (RecursionError):
        # the scanner below is iterative and says exactly what and where.
        exact = True
    if not exact:
        positions: Mapping[str, tuple[int, int]] = _LazyPositions(text, first_line)
        return Payload(source, index, value, positions), False
    try:
        value, offsets = _scan_json(text, first_line, per_line=per_line)
    except _Bad as bad:
        line, col = _locate(text, bad.offset, first_line)
        return ReadProblem(source, line, col, bad.message), bad.syntax
    positions = MappingProxyType(_offsets_to_positions(text, offsets, first_line))
    return Payload(source, index, value, positions), False


def _locate(text: str, offset: int, first_line: int) -> tuple[int, int]:
    line = first_line + text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offsets_to_positions(
    text: str, offsets: list[tuple[str, int]], first_line: int
) -> dict[str, tuple[int, int]]:
    if "\n" not in text:
        return {pointer: (first_line, offset + 1) for pointer, offset in offsets}
    starts = [0]
    starts.extend(match.end() for match in re.finditer("\n", text))
    result = {}
    for pointer, offset in offsets:
        i = bisect_right(starts, offset) - 1
        result[pointer] = (first_line + i, offset - starts[i] + 1)
    return result


class _LazyPositions(Mapping[str, tuple[int, int]]):
    """Positions computed on first use: most payloads are valid and never ask, and an invalid
    one is asked about the few problems shown (``prefetch``), not about every value."""

    __slots__ = ("_text", "_first_line", "_data", "_some", "_asked")

    def __init__(self, text: str, first_line: int) -> None:
        self._text: str | None = text
        self._first_line = first_line
        self._data: dict[str, tuple[int, int]] | None = None
        self._some: dict[str, tuple[int, int]] = {}
        self._asked: set[str] = set()

    def prefetch(self, pointers: Iterable[str]) -> None:
        """Find these pointers and their ancestors (where a missing one is shown) in one scan."""
        if self._data is not None:
            return
        wanted = set()
        for pointer in pointers:
            while pointer not in wanted and pointer not in self._asked:
                wanted.add(pointer)
                pointer = pointer[: max(pointer.rfind("/"), 0)]
        if not wanted:
            return
        text = self._text or ""
        try:
            _, offsets = _scan_json(text, self._first_line, per_line=False, wanted=wanted)
        except _Bad:  # pragma: no cover - json.loads accepted this text
            offsets = [("", 0)]
        self._some.update(_offsets_to_positions(text, offsets, self._first_line))
        self._asked |= wanted

    def get(self, pointer: str, default: Any = None) -> Any:
        if self._data is None and pointer in self._asked:
            return self._some.get(pointer, default)
        return self._all().get(pointer, default)

    def _all(self) -> dict[str, tuple[int, int]]:
        if self._data is None:
            text = self._text or ""
            try:
                _, offsets = _scan_json(text, self._first_line, per_line=False)
                self._data = _offsets_to_positions(text, offsets, self._first_line)
            except _Bad:  # pragma: no cover - json.loads accepted this text
                self._data = {"": (self._first_line, 1)}
            self._text, self._some, self._asked = None, {}, set()  # the map holds it all now
        return self._data

    def __getitem__(self, pointer: str) -> tuple[int, int]:
        found = self.get(pointer)
        if found is None:
            raise KeyError(pointer)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __contains__(self, pointer: object) -> bool:
        return isinstance(pointer, str) and self.get(pointer) is not None

    def __repr__(self) -> str:
        if self._data is None:
            return "<positions computed on first use>"
        return repr(self._data)


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_TOKEN = re.compile(r"[^\s,:\[\]{}\"]{1,40}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS = (("true", True), ("false", False), ("null", None))
_MISSING = object()


def _scan_json(
    text: str, first_line: int, *, per_line: bool, wanted: Container[str] | None = None
) -> tuple[object, list[tuple[str, int]]]:
    """Iterative JSON parser: value plus (pointer, offset) of every value (or only of the
    ``wanted`` pointers), or _Bad.

    No recursion, so nesting is limited by MAX_DEPTH only, never by the C stack.
    """
    n = len(text)
    # _WS matches the empty string, so match() never returns None.
    ws = cast("Callable[[str, int], re.Match[str]]", _WS.match)
    offsets: list[tuple[str, int]] = []
    # Frame: [container, pointer, seen-keys (None for a list), current key]
    stack: list[list] = []
    root: object = _MISSING
    pos = ws(text, 0).end()
    pointer = ""
    if pos >= n:
        what = "the line" if per_line else "the file"
        raise _Bad(0, f"{what} holds no JSON value (it is empty)")
    while True:
        # A value starts at pos.
        if pos >= n:
            raise _Bad(pos, "the JSON ends early (truncated?): a value is missing here")
        c = text[pos]
        if wanted is None or pointer in wanted:
            offsets.append((pointer, pos))
        if c == "{" or c == "[":
            if len(stack) >= MAX_DEPTH:
                raise _Bad(
                    pos,
                    f"nesting deeper than {MAX_DEPTH} levels: flatten the payload",
                    syntax=False,
                )
            container: dict | list = {} if c == "{" else []
            if stack:
                _attach(stack[-1], container)
            else:
                root = container
            pos = ws(text, pos + 1).end()
            if c == "[":
                stack.append([container, pointer, None, None])
                if pos < n and text[pos] == "]":
                    pos += 1
                    stack.pop()
                else:
                    pointer += "/0"
                    continue
            else:
                frame: list[Any] = [container, pointer, {}, None]
                stack.append(frame)
                if pos < n and text[pos] == "}":
                    pos += 1
                    stack.pop()
                else:
                    pos, pointer = _scan_key(text, pos, frame, first_line)
                    continue
        else:
            value, pos = _scan_scalar(text, pos, c)
            if stack:
                _attach(stack[-1], value)
            else:
                root = value
        # A value ended at pos: find what follows it.
        while True:
            pos = ws(text, pos).end()
            if not stack:
                if pos < n:
                    if per_line:
                        hint = "JSON Lines holds exactly one value per line"
                    else:
                        hint = "a .json file holds one value; use .jsonl for one value per line"
                    raise _Bad(
                        pos, f"unexpected {_describe(text, pos)} after the JSON value: {hint}"
                    )
                return root, offsets
            frame = stack[-1]
            is_list = frame[2] is None
            closer = "]" if is_list else "}"
            if pos >= n:
                raise _Bad(pos, f"the JSON ends early (truncated?): expected ',' or '{closer}'")
            c = text[pos]
            if c == closer:
                pos += 1
                stack.pop()
                continue
            if c != ",":
                where = "an array item" if is_list else "an object member"
                raise _Bad(
                    pos, f"expected ',' or '{closer}' after {where}, found {_describe(text, pos)}"
                )
            comma = pos
            pos = ws(text, pos + 1).end()
            if pos < n and text[pos] == closer:
                raise _Bad(comma, f"trailing comma before '{closer}': JSON allows none; remove it")
            if is_list:
                pointer = frame[1] + "/" + str(len(frame[0]))
            else:
                pos, pointer = _scan_key(text, pos, frame, first_line)
            break


def _attach(frame: list, value: object) -> None:
    if frame[2] is None:
        frame[0].append(value)
    else:
        frame[0][frame[3]] = value


def _scan_key(text: str, pos: int, frame: list, first_line: int) -> tuple[int, str]:
    if pos >= len(text):
        raise _Bad(pos, "the JSON ends early (truncated?): expected a key in double quotes")
    if text[pos] != '"':
        raise _Bad(pos, f"expected a key in double quotes, found {_describe(text, pos)}")
    key, end = _scan_string(text, pos)
    seen = frame[2]
    first = seen.get(key)
    if first is not None:
        first_at = first_line + text.count("\n", 0, first)
        raise _Bad(
            pos,
            f"duplicate key {key!r} (first at line {first_at}): "
            "a JSON object may hold each key once",
            syntax=False,
        )
    seen[key] = pos
    frame[3] = key
    # _WS matches the empty string, so match() never returns None.
    pos = cast("re.Match[str]", _WS.match(text, end)).end()
    if pos >= len(text) or text[pos] != ":":
        raise _Bad(pos, f"expected ':' after the key {key!r}, found {_describe(text, pos)}")
    return cast("re.Match[str]", _WS.match(text, pos + 1)).end(), frame[1] + "/" + _escape(key)


def _scan_string(text: str, pos: int) -> tuple[str, int]:
    try:
        value, end = scanstring(text, pos + 1, True)
    except JSONDecodeError as exc:
        raise _Bad(exc.pos, _string_message(text, exc)) from None
    if _SURROGATE.search(value):
        raise _Bad(
            pos,
            "string holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), which is not a "
            "character: pair it or remove it",
            syntax=False,
        )
    return value, end


def _string_message(text: str, exc: JSONDecodeError) -> str:
    if exc.msg.startswith("Unterminated"):
        return "unterminated string: the closing double quote is missing"
    if exc.msg.startswith("Invalid control"):
        char = text[exc.pos] if exc.pos < len(text) else ""
        if char and char in "\r\n":
            return "a string may not span lines: write the line break as \\n"
        code = f"U+{ord(char or chr(0)):04X}"
        return f"raw control character {code} in a string: escape it as \\u00XX"
    if exc.msg.startswith("Invalid \\u"):
        return "invalid \\u escape: it needs exactly four hex digits, e.g. \\u00e9"
    if exc.msg.startswith("Invalid \\escape"):
        shown = text[exc.pos : exc.pos + 2]
        valid = '\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX'
        return f"invalid escape '{shown}' in a string: the valid ones are {valid}"
    return _one_line(f"invalid string: {exc.msg}")


def _scan_scalar(text: str, pos: int, c: str) -> tuple[object, int]:
    if c == '"':
        return _scan_string(text, pos)
    for word, value in _LITERALS:
        if c == word[0] and text.startswith(word, pos):
            return value, pos + len(word)
    for word in ("NaN", "Infinity", "-Infinity"):
        if text.startswith(word, pos):
            raise _Bad(
                pos,
                f"{word} is not a JSON number (JSON has no NaN or Infinity): use null or a string",
                syntax=False,
            )
    if c == "-" or "0" <= c <= "9":
        match = _NUMBER.match(text, pos)
        end = match.end() if match else pos
        if not match or (end < len(text) and text[end] in "0123456789.eE+-"):
            token = _TOKEN.match(text, pos)
            shown = token.group() if token else c
            return_hint = "JSON numbers look like -12, 0.5 or 1e-3 (no leading zeros or '+')"
            raise _Bad(pos, f"invalid number {shown!r}: {return_hint}")
        number = match.group()
        if match.group(1) or match.group(2):
            result = float(number)
            if result in (float("inf"), float("-inf")):
                raise _Bad(
                    pos,
                    f"number {_short(number)} is too large for a 64-bit float: "
                    "write it as a string",
                    syntax=False,
                )
            return result, end
        try:
            return int(number), end
        except ValueError:
            # Python refuses to convert integers longer than sys.get_int_max_str_digits().
            raise _Bad(
                pos,
                f"integer with {len(number.lstrip('-'))} digits is too long to read: "
                "write it as a string",
                syntax=False,
            ) from None
    raise _Bad(pos, f"expected a JSON value, found {_describe(text, pos)}")


def _short(token: str) -> str:
    return token if len(token) <= 30 else token[:27] + "..."


def _describe(text: str, pos: int) -> str:
    """Name what is at ``pos`` and hint at the usual mistake."""
    if pos >= len(text):
        return "the end of the text (truncated?)"
    c = text[pos]
    if c == "'":
        return "' (JSON strings use double quotes, not single quotes)"
    if c == "/":
        return "'/' (JSON has no comments)"
    if c == "\ufeff":
        return "a byte-order mark (U+FEFF) inside the text"
    token = _TOKEN.match(text, pos)
    word = token.group() if token else c
    if word in ("True", "False", "None"):
        return f"{word!r} (JSON spells these true, false, null)"
    if word[0].isalpha() or word[0] == "_":
        return f"{_short(word)!r} (strings must be in double quotes)"
    if c.isprintable():
        return repr(c)
    return f"character U+{ord(c):04X}"


# ---------------------------------------------------------------------------
# YAML: events -> values with marks, JSON semantics only


try:
    from yaml import CSafeLoader as _SafeLoaderBase

    _USES_LIBYAML = True
except ImportError:  # PyYAML built without libyaml: slower, same results
    from yaml import SafeLoader as _SafeLoaderBase  # type: ignore[assignment]

    _USES_LIBYAML = False


class _YamlLoader(_SafeLoaderBase):
    """Safe loader (libyaml when available); only its parser and resolver are used."""


_CONSTRUCT = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL, _INT, _FLOAT = (_TAG + t for t in ("str", "null", "bool", "int", "float"))
_SEQ, _MAP = _TAG + "seq", _TAG + "map"
_KEY_KINDS = {bool: "a boolean", int: "a number", float: "a number", type(None): "null"}


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _read_yaml(text: str, source: str) -> Iterator[Payload | ReadProblem]:
    """Each document is a payload; a refused document is skipped, a syntax error stops."""
    try:
        # The pure-Python reader already checks characters here.
        loader = _YamlLoader(text)
    except yaml.YAMLError as exc:
        yield _yaml_syntax_problem(exc, text, source)
        return
    index = 0
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, ev.DocumentStartEvent):
                try:
                    value, positions = _YamlDocument(loader).build()
                except _Problem as problem:
                    yield ReadProblem(source, problem.line, problem.col, problem.message)
                    # Too deep is where libyaml stops too; stop alike without it.
                    if problem.stop or not _skip_document(loader.get_event, problem.depth):
                        return
                else:
                    yield Payload(source, index, value, MappingProxyType(positions))
                index += 1
            elif isinstance(event, ev.StreamEndEvent):
                break
    except yaml.YAMLError as exc:
        yield _yaml_syntax_problem(exc, text, source)
        return
    finally:
        loader.dispose()
    if index == 0:
        yield ReadProblem(source, 1, 1, "no YAML document in the file (it is empty)")


def _skip_document(get_event: Callable[[], ev.Event | None], depth: int) -> bool:
    """Consume the rest of a refused document; False if it nests too deep to go on."""
    # Without libyaml, deep flow nesting costs the parser time per level: stop at the limit.
    while True:
        event = get_event()
        if isinstance(event, ev.DocumentEndEvent):
            return True
        if isinstance(event, ev.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif isinstance(event, ev.CollectionEndEvent):
            depth -= 1


_YAML_HINTS = (
    ("mapping values are not allowed", "quote a value that contains ': '"),
    ("could not find expected ':'", "a key needs ': ' after it, or quote the line"),
    ("maximum nesting depth", f"nesting deeper than {MAX_DEPTH} levels is refused; flatten it"),
)


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n", line)
    return lines[line - 1][col - 1 : col] if len(lines) >= line else ""


def _yaml_syntax_problem(exc: yaml.YAMLError, text: str, source: str) -> ReadProblem:
    line = col = 0
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        if mark is not None:
            line, col = mark.line + 1, mark.column + 1
        message = exc.problem or exc.context or "syntax error"
        if exc.problem and exc.context:
            message = f"{exc.problem} ({exc.context})"
    elif isinstance(exc, yaml.reader.ReaderError):
        position = exc.position
        if _USES_LIBYAML:
            # libyaml reports a byte offset into the UTF-8 it was given.
            position = len(text.encode("utf-8")[:position].decode("utf-8", "replace"))
        line, col = _locate(text, min(position, len(text)), 1)
        char = exc.character
        code = f"U+{char if isinstance(char, int) else ord(char[:1] or chr(0)):04X}"
        message = f"character {code} is not allowed ({exc.reason}): remove it, or write it as "
        message += "an escape inside a double-quoted string"
    else:
        message = str(exc)
    if line and _char_at(text, line, col) == "\t":
        message += ": indent YAML with spaces, not tabs"
    for needle, hint in _YAML_HINTS:
        if needle in message:
            message += f": {hint}"
            break
    return ReadProblem(source, line, col, _one_line(f"invalid YAML: {message}"))


class _YamlDocument:
    """Builds one document's value and positions from parser events, iteratively."""

    def __init__(self, loader: _YamlLoader) -> None:
        self.loader = loader
        self.entries: list[tuple[str, int, int]] = []  # (pointer, line, col) in order
        # anchor -> (value, first entry, end entry, pointer where it was defined)
        self.anchors: dict[str, tuple[object, int, int, str]] = {}
        self.open_anchors: set[str] = set()
        self.expanded = 0

    def build(self) -> tuple[object, dict[str, tuple[int, int]]]:
        stack: list[list] = []
        try:
            return self._build(stack)
        except _Problem as problem:
            problem.depth = len(stack)  # lets the caller skip the rest safely
            raise

    def _build(self, stack: list[list]) -> tuple[object, dict[str, tuple[int, int]]]:
        entries = self.entries
        # Frame: [container, pointer, is_map, key (_MISSING while expecting one),
        #         seen keys -> line, anchor, first entry]
        root: object = None
        # Any: events are told apart by `type(event) is ...`, which mypy does not narrow.
        get_event: Callable[[], Any] = self.loader.get_event
        while True:
            event = get_event()
            kind = type(event)
            if kind is ev.DocumentEndEvent:
                return root, {pointer: (line, col) for pointer, line, col in entries}
            if kind is ev.SequenceEndEvent or kind is ev.MappingEndEvent:
                frame = stack.pop()
                if frame[5] is not None:
                    self.anchors[frame[5]] = (frame[0], frame[6], len(entries), frame[1])
                    self.open_anchors.discard(frame[5])
                continue
            mark = event.start_mark
            line, col = mark.line + 1, mark.column + 1
            top = stack[-1] if stack else None
            if top is not None and top[2] and top[3] is _MISSING:
                top[3] = self._key(event, top, line, col)
                continue
            if top is None:
                pointer = ""
            elif top[2]:
                pointer = top[1] + "/" + _escape(top[3])
            else:
                pointer = top[1] + "/" + str(len(top[0]))
            if kind is ev.ScalarEvent:
                value = self._scalar(event, line, col)
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, len(entries), len(entries) + 1, pointer)
                entries.append((pointer, line, col))
            elif kind is ev.AliasEvent:
                value = self._alias(event, pointer, line, col)
            else:
                if len(stack) >= MAX_DEPTH:
                    too_deep = _Problem(
                        line, col, f"nesting deeper than {MAX_DEPTH} levels: flatten the payload"
                    )
                    too_deep.stop = True
                    raise too_deep
                is_map = kind is ev.MappingStartEvent
                self._check_collection_tag(event.tag, _MAP if is_map else _SEQ, line, col)
                value = {} if is_map else []
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                stack.append([value, pointer, is_map, _MISSING, {}, event.anchor, len(entries)])
                entries.append((pointer, line, col))
            if top is None:
                root = value
            elif top[2]:
                top[0][top[3]] = value
                top[3] = _MISSING
            else:
                top[0].append(value)

    def _key(self, event: ev.Event, frame: list, line: int, col: int) -> str:
        if isinstance(event, ev.ScalarEvent):
            key = self._scalar(event, line, col)
            if event.anchor is not None:
                self.anchors[event.anchor] = (key, 0, 0, "")
            raw = event.value
        elif isinstance(event, ev.AliasEvent):
            key = self._anchor(event, line, col)[0]
            assert event.anchor is not None  # _anchor found it among the anchors
            raw = "*" + event.anchor
        else:
            raise _Problem(
                line, col, "a list or map used as a key: a JSON payload has string keys only"
            )
        if not isinstance(key, str):
            what = _KEY_KINDS.get(type(key), "not a string")
            raise _Problem(
                line,
                col,
                f"key {raw!r} is read by YAML as {what}: a JSON payload has string keys; quote it",
            )
        seen = frame[4]
        if key in seen:
            raise _Problem(
                line,
                col,
                f"duplicate key {key!r} (first at line {seen[key]}): "
                "a JSON object may hold each key once",
            )
        seen[key] = line
        return key

    def _anchor(self, event: ev.AliasEvent, line: int, col: int) -> tuple[object, int, int, str]:
        name = event.anchor
        assert name is not None  # an alias event always names its anchor
        found = self.anchors.get(name)
        if found is None:
            if name in self.open_anchors:
                raise _Problem(line, col, f"alias *{name} refers to a node that contains it")
            raise _Problem(line, col, f"alias *{name} has no anchor &{name} before it")
        return found

    def _alias(self, event: ev.AliasEvent, pointer: str, line: int, col: int) -> object:
        value, start, end, base = self._anchor(event, line, col)
        self.expanded += max(end - start, 1)
        if self.expanded > MAX_ALIAS_VALUES:
            raise _Problem(
                line,
                col,
                f"aliases expand to more than {MAX_ALIAS_VALUES} values (an alias bomb?): "
                "write the data out instead of repeating aliases",
            )
        entries = self.entries
        if end > start:
            # Values reached through the alias point at the anchored original.
            cut = len(base)
            entries.extend([(pointer + p[cut:], ln, cl) for p, ln, cl in entries[start:end]])
        # ...but the alias itself is where the reader looks for this value (last one wins).
        entries.append((pointer, line, col))
        return value

    def _scalar(self, event: ev.ScalarEvent, line: int, col: int) -> object:
        tag = event.tag
        value = event.value
        if tag is None or tag == "!":
            tag = self.loader.resolve(yaml.nodes.ScalarNode, value, event.implicit)
        if tag == _STR or tag == _TAG + "value":
            return value
        if tag == _NULL:
            return None
        node = yaml.nodes.ScalarNode(tag, value)
        try:
            if tag == _BOOL:
                return _CONSTRUCT.construct_yaml_bool(node)
            if tag == _INT:
                return _CONSTRUCT.construct_yaml_int(node)
            if tag == _FLOAT:
                number = _CONSTRUCT.construct_yaml_float(node)
                if number != number or number in (float("inf"), float("-inf")):
                    raise _Problem(
                        line,
                        col,
                        f"YAML read {_short(value)} as a NaN or infinite float, which JSON "
                        "cannot hold: use null, or quote it to keep it a string",
                    )
                return number
        except _Problem:
            raise
        except Exception:  # e.g. "!!int abc", or an integer too long for int()
            digits = sum(ch.isdigit() for ch in value)
            if tag == _INT and digits > 4000:
                raise _Problem(
                    line,
                    col,
                    f"integer with {digits} digits is too long to read: write it as a string",
                ) from None
            raise _Problem(
                line, col, f"{_short(value)!r} is not a valid {_show_tag(tag)}: fix or quote it"
            ) from None
        if tag == _TAG + "timestamp":
            raise _Problem(
                line, col, f"YAML read {_short(value)} as a date; quote it ('{_short(value)}')"
            )
        if tag == _TAG + "merge":
            raise _Problem(line, col, "YAML merge keys (<<) are not supported: write the keys out")
        raise _Problem(line, col, _tag_message(tag))

    @staticmethod
    def _check_collection_tag(tag: str | None, expected: str, line: int, col: int) -> None:
        if tag is not None and tag != "!" and tag != expected:
            raise _Problem(line, col, _tag_message(tag))


def _tag_message(tag: str) -> str:
    return _one_line(
        f"YAML tag {_short(_show_tag(tag))} is not allowed: a payload holds only JSON values "
        "(strings, numbers, booleans, null, lists, maps); remove the tag"
    )
