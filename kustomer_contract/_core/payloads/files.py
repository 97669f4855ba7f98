"""Finding, opening and reading payload files and standard input; each by its kind."""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from fnmatch import fnmatchcase
from itertools import chain, islice
from pathlib import Path
from typing import IO, NamedTuple, cast

from .. import forked
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
from .jsontext import (
    NEEDS_EXACT,
    LazyPositions,
    parse_fast,
    parse_json_text,
    prefer_orjson,
    read_json_text,
)

# The JSON Lines reader (and the orjson it loads) is imported where a stream is met: a run
# over whole JSON files does not need it.

# ---------------------------------------------------------------------------
# Entry points


class Skipped(NamedTuple):
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
    path: str | Path,
    *,
    kind: str | None = None,
    settled: Settled | None = None,
    workers: int = 1,
) -> Iterator[Payload | ReadProblem]:
    """Yield each payload of ``path`` (``"-"`` = stdin), or a ReadProblem where reading fails.

    ``kind`` is "json", "jsonl", "yaml" or None (from the suffix, else from the content).
    JSON Lines streams: a bad line yields a problem and reading goes on; a bad JSON or
    YAML file yields one problem and stops (a refused YAML document skips to the next).
    JSON Lines payloads have ``index`` = line number - 1 (blank lines are skipped).
    Devices and FIFOs are read too, never more than the size limits allow.
    ``settled``: the JSON and JSON Lines payloads it takes (see ``Settled``) are counted there,
    not yielded. ``workers``: how many forked processes may judge a large JSON Lines file's
    lines for ``settled`` (the payloads and problems still come in file order).
    """
    if kind is not None and kind not in KINDS:
        # A caller bug, not bad input: fail at the call rather than inside the iteration.
        raise ValueError(f"kind must be one of {', '.join(KINDS)} or None, not {kind!r}")
    stdin = str(path) == "-"
    source = "<stdin>" if stdin else display_path(path)
    return _guarded(path, kind, source, stdin, settled, workers)


def read_lines(
    path: str | Path, *, max_total: int | None = None
) -> Iterator[tuple[int, bytes] | ReadProblem]:
    """(line number, line without its end of line) for each line of ``path`` (``"-"`` = stdin).

    The caps of JSON Lines payloads apply: a line longer than limits.MAX_FILE_BYTES is a problem
    (and skipped); ``max_total`` bytes read in all end the reading with a problem at line 0.
    Reading never blocks on a FIFO without a writer, and never holds more than one line.
    """
    from .jsonl import split_lines

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


def iter_payload_files(paths: Sequence[str], glob: str | None = None) -> Iterator[str | Skipped]:
    """Files as given, directories walked in sorted order for payload files; "-" kept.

    In directories only names matching ``glob`` (or the payload suffixes) are taken, and
    hidden directories (``.git``, ``.venv``...) are skipped.  Symlinked directories are
    followed, each directory searched once (by device and inode, so a link loop ends).
    What a walk finds but does not read (FIFOs, devices, sockets, a directory reached a
    second time) comes as a :class:`Skipped`, never silently.  Missing paths and
    directories that cannot be listed are passed on, so that :func:`read_payloads`
    reports them.  Files named directly are passed on whatever they are.  Paths are
    ``str``: a folder of 10,000 files would spend a fifth of its run building ``Path`` objects.
    """
    for given in paths:
        # os.path.isdir, unlike Path.is_dir, never raises (permission, NUL in the name).
        if given == "-" or not os.path.isdir(given):
            yield given
            continue
        yield from _walk(given, glob)


def _walk(root: str, glob: str | None) -> Iterator[str | Skipped]:
    """Depth first, each folder's files before its subfolders, all in sorted order."""
    searched: dict[tuple[int, int], str] = {}
    with contextlib.suppress(OSError):
        searched[_identity(os.stat(root))] = display_path(root)
    pending = [(root, "")]  # (folder, its path below root, "a/b/"), next one last
    while pending:
        top, below = pending.pop()
        try:
            with os.scandir(top) as listing:
                entries = sorted(listing, key=_name)
        except OSError as error:  # reported rather than skipped: a validator must not miss files
            yield error.filename or top
            continue
        notes: list[Skipped] = []
        subdirs: list[tuple[str, str]] = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()  # follows a symlink, as the walk does
            except OSError:
                is_dir = False
            if is_dir:
                if not name.startswith("."):
                    note = _searched_before(entry.path, searched)
                    if note is None:
                        subdirs.append((entry.path, f"{below}{name}/"))
                    else:
                        notes.append(note)
                continue
            if not _wanted(name, None if glob is None else below + name, glob):
                continue
            try:
                regular = entry.is_file()  # the type the listing gave: no stat for most
                mode = 0 if regular else os.stat(entry.path).st_mode
            except OSError:
                yield entry.path  # a broken symlink, say: read_payloads tells what is wrong
                continue
            if regular or stat.S_ISREG(mode):
                yield entry.path
            else:
                notes.append(Skipped(display_path(entry.path), _not_regular(mode)))
        yield from notes
        pending.extend(reversed(subdirs))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _searched_before(folder: str, searched: dict[tuple[int, int], str]) -> Skipped | None:
    """A note when ``folder`` is a folder the walk has reached already (through a symlink)."""
    try:
        key = _identity(os.stat(folder))
    except OSError:
        return None  # listing it will say what is wrong
    shown = display_path(folder)
    first = searched.setdefault(key, shown)
    if first == shown:
        return None
    return Skipped(
        shown,
        f"skipped: the same directory as {first}, already searched (a symlink leads to it again)",
    )


# A walk that finds at least this many files has them judged by forked workers, a chunk at
# a time, when more than one is allowed.
PARALLEL_FILES = 1024
_CHUNK_FILES = 1024


def prejudged(
    found: Iterator[str | Skipped], takes: Callable[[object], bool], workers: int
) -> Iterator[tuple[str | Skipped, bool]]:
    """Each file ``found`` (as :func:`iter_payload_files` gives them), in order, with whether it
    is a small JSON file whose one payload ``takes`` accepts: such a file needs no reading
    here. With many files, ``workers`` forked processes judge them, a chunk each; otherwise
    every file comes with False and is read as usual."""
    head = list(islice(found, PARALLEL_FILES))
    if len(head) < PARALLEL_FILES or workers <= 1:
        for item in chain(head, found):
            yield item, False
        return

    prefer_orjson()  # many files: worth its import, done once here rather than in each worker

    def judge(chunk: list[str | Skipped]) -> list[bool]:
        return [_settles_whole(item, takes) for item in chunk]

    rest: Iterator[str | Skipped] = chain(head, found)
    chunks = iter(lambda: list(islice(rest, _CHUNK_FILES)), [])
    for chunk, verdicts in forked.in_order(judge, chunks, workers=workers):
        assert verdicts is not None
        yield from zip(chunk, verdicts, strict=True)


def _settles_whole(item: str | Skipped, takes: Callable[[object], bool]) -> bool:
    """Whether ``item`` is a small JSON file whose one payload ``takes`` accepts, as
    :func:`read_payloads` would read it (anything else: False, and it is read as usual)."""
    if not isinstance(item, str) or item == "-":
        return False
    if SUFFIX_KINDS.get(os.path.splitext(item)[1].lower()) != "json":
        return False
    try:
        data = _read_small_file(item)
    except (OSError, ValueError):
        return False
    if data is None:
        return False
    value = parse_fast(data)
    return value is not NEEDS_EXACT and takes(value)


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


# Each default glob is "*" and a suffix: one endswith instead of five fnmatch calls per name.
_DEFAULT_SUFFIXES = tuple(pattern[1:] for pattern in DEFAULT_GLOBS)
assert all(pattern.startswith("*.") and "*" not in pattern[1:] for pattern in DEFAULT_GLOBS)


def _wanted(name: str, relative: str | None, glob: str | None) -> bool:
    """``relative`` (the path below the walked folder) is only needed, and given, with a glob."""
    if glob is None or relative is None:
        return name.lower().endswith(_DEFAULT_SUFFIXES)  # what DEFAULT_GLOBS match
    return fnmatchcase(name, glob) or fnmatchcase(relative, glob)


def _guarded(
    path: str | Path,
    kind: str | None,
    source: str,
    stdin: bool,
    settled: Settled | None,
    workers: int,
) -> Iterator[Payload | ReadProblem]:
    try:
        if stdin:
            yield from _read_stdin(kind, source, settled)
        else:
            yield from _read_file(os.fspath(path), kind, source, settled, workers)
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
    path: str, kind: str | None, source: str, settled: Settled | None, workers: int = 1
) -> Iterator[Payload | ReadProblem]:
    # os.path rather than pathlib: this runs once per file and pathlib costs ~10 us.
    kind = kind or SUFFIX_KINDS.get(os.path.splitext(path)[1].lower())
    if kind != "jsonl":
        # Most files: a small regular file, read whole from its descriptor in one call.
        try:
            data = _read_small_file(path)
        except (OSError, ValueError) as exc:
            yield ReadProblem(source, 0, 0, open_message(exc))
            return
        if data is not None:
            yield from _read_bytes(data, _no_more_lines, kind, source, settled)
            return
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
            from .jsonl import PARALLEL_BYTES, read_jsonl

            if kind == "jsonl":
                big = regular and info.st_size >= PARALLEL_BYTES
                yield from read_jsonl(
                    handle.readline,
                    source,
                    settled=settled,
                    read=_read_some(handle),
                    workers=workers,
                    file=handle if big else None,
                )
                return
            if regular and info.st_size > limits.MAX_FILE_BYTES:
                if kind:
                    yield too_big(source, kind)
                else:
                    # Too big to be one JSON/YAML document: only JSON Lines can be meant.
                    yield from read_jsonl(handle.readline, source, guessed=True, settled=settled)
                return
            # A device or FIFO has no size: the limit is applied while reading.
            data = _read_up_to(
                handle.read, limits.MAX_FILE_BYTES + 1, info.st_size if regular else 0
            )
        except OSError as exc:
            yield ReadProblem(source, 0, 0, open_message(exc))
            return
        yield from _read_bytes(data, handle.readline, kind, source, settled)


def _read_small_file(path: str) -> bytes | None:
    """The bytes of a regular file that stays within the limit while it is read, or None
    for anything else (a FIFO, a device, a directory, a big or growing file), which the
    general path opens again and reads as it must. Opened without blocking, as there."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limits.MAX_FILE_BYTES:
            return None
        data = os.read(fd, info.st_size + 1)  # a short read of a regular file is its end
        return data if len(data) <= info.st_size else None
    finally:
        os.close(fd)


def _no_more_lines(limit: int = -1) -> bytes:
    return b""  # a small file was read whole: there is nothing after it


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
            from .jsonl import read_jsonl

            yield from read_jsonl(binary.readline, source, settled=settled, read=_read_some(binary))
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
        from .jsonl import Chained, read_jsonl

        yield from read_jsonl(
            Chained(data, readline).readline, source, guessed=True, settled=settled
        )
        return
    if kind == "json":
        # Most files: orjson, positions only when one is asked. What orjson reads is UTF-8
        # without a BOM, so the decoding below could not have failed.
        value = parse_fast(data)
        if value is not NEEDS_EXACT:
            if settled is not None and settled.takes(value):
                settled.count += 1
            else:
                yield Payload(source, 0, value, LazyPositions(data.decode("utf-8"), 1))
            return
    try:
        text = decode(data)
    except LocatedProblem as problem:
        yield ReadProblem(source, problem.line, problem.col, problem.message)
        return
    if kind == "json":
        yield read_json_text(text, source, 0, 1, per_line=False)
    elif kind == "yaml":
        from .yamltext import read_yaml  # PyYAML's import is a third of a short JSON run

        yield from read_yaml(text, source)
    elif kind == "jsonl":
        from .jsonl import read_jsonl

        stream = io.BytesIO(data)
        yield from read_jsonl(stream.readline, source, settled=settled, read=stream.read)
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
            from .jsonl import read_jsonl

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


def _read_some(stream: IO[bytes]) -> Callable[[int], bytes] | None:
    """``read1`` where the stream has it: what is there, without waiting for a whole block
    (a pipe's lines are judged as they come); else ``read``; None for a stream with neither
    (then it is read a line at a time)."""
    return getattr(stream, "read1", None) or getattr(stream, "read", None)
