"""JSON Lines: one payload per line, read line by line in constant memory."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from itertools import count
from typing import IO, NamedTuple

import orjson

from .. import forked
from . import base as limits  # read at call time: tests lower them
from .base import (
    BOM,
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
    keys_kept,
    orjson_may_read_each,
    parse_fast,
    read_json_text,
)

# ---------------------------------------------------------------------------
# JSON Lines


def split_lines(
    readline: Callable[[int], bytes], source: str, max_total: int | None = None
) -> Iterator[tuple[int, int, bytes] | ReadProblem]:
    """(line number, byte offset, content without its end of line) for each line.

    Shared by JSON Lines payloads and ``trace``: no line longer than limits.MAX_FILE_BYTES is
    held, the rest of an over-long line is skipped only as far as another limits.MAX_FILE_BYTES
    (an endless stream such as /dev/zero has no end of line), and ``max_total`` bytes
    read in all stop the reading.  Every read is bounded, so Ctrl-C is seen in between.
    """
    for batch in split_line_batches(readline, source, max_total, lines=1, size=0):
        yield from batch


def split_line_batches(
    readline: Callable[[int], bytes],
    source: str,
    max_total: int | None = None,
    *,
    lines: int,
    size: int,
    line_no: int = 0,
    offset: int = 0,
) -> Iterator[list[tuple[int, int, bytes] | ReadProblem]]:
    """What :func:`split_lines` gives, in lists of up to ``lines`` lines or ``size`` bytes
    (a problem ends its list): a stream of short lines is read without a generator step
    per line. ``line_no`` and ``offset``: how many lines and bytes came before ``readline``'s
    first."""
    limit = limits.MAX_FILE_BYTES
    batch: list[tuple[int, int, bytes] | ReadProblem] = []
    held = 0
    while True:
        if batch and (len(batch) >= lines or held >= size):
            yield batch
            batch, held = [], 0
        if max_total is not None and offset > max_total:
            batch.append(
                ReadProblem(
                    source,
                    0,
                    0,
                    f"larger than {max_total // 1_000_000} MB, the limit: the rest was not read; "
                    "split it into smaller files",
                )
            )
            break
        try:
            # +2 leaves room for the "\r\n" of a line that is exactly at the limit.
            raw = readline(limit + 3)
        except OSError as exc:
            batch.append(ReadProblem(source, line_no + 1, 0, open_message(exc)))
            break
        if not raw:
            break
        line_no += 1
        line_offset = offset
        offset += len(raw)
        content = raw[:-1] if raw.endswith(b"\n") else raw
        if content.endswith(b"\r"):
            content = content[:-1]
        if len(content) <= limit:
            batch.append((line_no, line_offset, content))
            held += len(content)
            continue
        problem, offset, endless = _skip_long_line(
            readline, raw, offset, line_no, source, max_total
        )
        batch.append(problem)
        if endless:
            break
        yield batch
        batch, held = [], 0
    if batch:
        yield batch


def _skip_long_line(
    readline: Callable[[int], bytes],
    raw: bytes,
    offset: int,
    line_no: int,
    source: str,
    max_total: int | None,
) -> tuple[ReadProblem, int, bool]:
    """Skip the rest of an over-long line in bounded chunks, never holding it whole."""
    limit = limits.MAX_FILE_BYTES
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
        message += f"; no end of line in the next {limit // 1_000_000} MB, the rest was not read"
    return ReadProblem(source, line_no, 1, message), offset, endless


# A batch of lines judged in one call: large enough that the calls cost little next to the
# work, small enough that a batch with an invalid line (then asked line by line) costs little.
_BATCH_LINES = 64
_BATCH_BYTES = 1 << 20
# What one read() takes of a stream in block mode: the split is one C call per block, and
# the block, its lines and a batch are what is held at once.
_BLOCK_BYTES = 1 << 17
# What a worker reads and judges at a time: large enough that handing it over costs little
# next to the work (a few hundred microseconds a task), and that each process holds only a
# few megabytes.
_SPAN_BYTES = 1 << 22


class Chained:
    """``readline`` over bytes already read followed by the rest of the stream."""

    def __init__(self, head: bytes, readline: Callable[[int], bytes]) -> None:
        self._head = io.BytesIO(head)
        self._rest = readline

    def readline(self, limit: int = -1) -> bytes:
        line = self._head.readline(limit)
        if line.endswith(b"\n") or (limit >= 0 and len(line) >= limit):
            return line
        return line + self._rest(limit - len(line) if limit >= 0 else -1)


class _Lines(NamedTuple):
    """Consecutive lines of a stream as read in block mode: none skipped, ends of line cut."""

    first_line: int  # the line number of lines[0]
    first_offset: int  # its byte offset
    lines: list[bytes]

    def numbered(self) -> list[tuple[int, int, bytes]]:
        """(line number, byte offset, content without a final CR) of each non-blank line, as
        :func:`split_line_batches` gives them."""
        out = []
        offset = self.first_offset
        for line_no, raw in enumerate(self.lines, self.first_line):
            content = raw[:-1] if raw.endswith(b"\r") else raw
            if content.strip(b" \t\r") and not (line_no == 1 and content == BOM):
                out.append((line_no, offset, content))
            offset += len(raw) + 1
        return out


class _Block(NamedTuple):
    """Whole lines of a stream, ``"\\n"``-joined, from byte ``offset``."""

    offset: int
    data: bytes


class _Rest(NamedTuple):
    """From byte ``offset`` on, the stream is read a line at a time (a line is too long for
    block mode); ``data`` is what was read of it already."""

    offset: int
    data: bytes


def _blocks(read: Callable[[int], bytes], source: str) -> Iterator[_Block | _Rest | OSError]:
    """The stream cut into blocks of whole lines, one ``read`` each (the split into lines is
    then one C call per block, not a readline per line). A line longer than a block or than
    the limit makes the rest a :class:`_Rest`; a read that fails ends it with its error."""
    limit = limits.MAX_FILE_BYTES
    offset = 0
    carry = b""
    while True:
        try:
            block = read(_BLOCK_BYTES)
        except OSError as exc:
            yield exc
            return
        data = carry + block if carry else block
        if not block:
            if data:  # a last line without an end of line
                yield _Block(offset, data)
            return
        cut = data.rfind(b"\n")  # -1: no end of line yet, all of it is carried
        carry = data[cut + 1 :]
        too_long = len(carry) > min(_BLOCK_BYTES, limit) or (
            limit < _BLOCK_BYTES and cut >= 0 and max(map(len, data[:cut].split(b"\n"))) > limit
        )
        if too_long:
            yield _Rest(offset, data)
            return
        if cut >= 0:
            yield _Block(offset, data[:cut])
            offset += cut + 1


def _whole_batches(data: bytes, at_start: bool, settled: Settled) -> tuple[int, int, list[_Lines]]:
    """A block judged in batches of _BATCH_LINES, as a worker does it: (its lines, how many
    the batches settled whole took, and the other batches, numbered from the block's start),
    which the reader then takes line by line."""
    assert settled.takes_all is not None
    lines = data.split(b"\n")
    taken = 0
    rest = []
    offset = 0
    for start in range(0, len(lines), _BATCH_LINES):
        batch = _Lines(start + 1, offset, lines[start : start + _BATCH_LINES])
        values = _values(batch, at_start and start == 0)
        if values is None:
            rest.append(batch)  # some line is no JSON orjson may read: all of them, as they are
        elif settled.takes_all(values):
            taken += len(values)
        else:  # only the lines it does not take go back
            line_offset = offset
            for i, (line, value) in enumerate(zip(batch.lines, values, strict=True)):
                if settled.takes(value):
                    taken += 1
                else:
                    rest.append(_Lines(start + 1 + i, line_offset, [line]))
                line_offset += len(line) + 1
        offset += sum(map(len, batch.lines)) + len(batch.lines)
    return len(lines), taken, rest


def _values(batch: _Lines, first_of_stream: bool) -> list[object] | None:
    """orjson's value of each line, where the batch may take the fast path whole."""
    contents = batch.lines
    if b"" in contents or (first_of_stream and contents[0].startswith(BOM)):
        return None  # blank lines and a BOM: as the line reader gives them
    joined = b"\n".join(contents)
    values = _parsed_each(contents, joined)
    return values if values is not None and keys_kept(joined, values) else None


# Streams at least this large are judged by forked workers when more than one is allowed.
PARALLEL_BYTES = 8 << 20


def read_jsonl(
    readline: Callable[[int], bytes],
    source: str,
    *,
    guessed: bool = False,
    settled: Settled | None = None,
    read: Callable[[int], bytes] | None = None,
    workers: int = 1,
    file: IO[bytes] | None = None,
) -> Iterator[Payload | ReadProblem]:
    """Stream one payload per line; memory stays bounded by the longest line.

    ``guessed``: read as JSON Lines only because it is too big for one JSON/YAML document.
    ``settled``: the payloads of the fast path it takes are counted there, not yielded; with
    its ``takes_all``, lines are read, parsed and offered a batch at a time, and with ``read``
    (the same stream's, returning what is there up to the size asked) split a block at a
    time. ``workers`` > 1 and ``file`` (the regular file ``readline`` reads, at its start):
    the blocks are judged by that many forked processes, each reading its own blocks.
    """
    batched = settled is not None and settled.takes_all is not None
    if batched and file is not None and workers > 1 and forked.can_fork():
        assert settled is not None
        fd = file.fileno()
        spans = _spans(fd, os.fstat(fd).st_size, file.seek)

        def judge_span(span: object) -> tuple[int, int, list[_Lines]]:
            assert isinstance(span, _Span)  # the only items sent
            data = os.pread(fd, span.length, span.offset)
            return _whole_batches(data, span.offset == 0, settled)

        yield from _judged(spans, judge_span, workers, readline, source, settled, guessed)
        return
    if batched and read is not None:
        assert settled is not None

        def judge_block(block: object) -> tuple[int, int, list[_Lines]]:
            assert isinstance(block, _Block)  # the only items sent
            return _whole_batches(block.data, block.offset == 0, settled)

        blocks = _blocks(read, source)
        yield from _judged(blocks, judge_block, 1, readline, source, settled, guessed)
        return
    lines, size = (_BATCH_LINES, _BATCH_BYTES) if batched else (1, 0)
    yield from _read_lines(
        split_line_batches(readline, source, lines=lines, size=size),
        source,
        settled,
        guessed,
        batched,
    )


class _Span(NamedTuple):
    """Whole lines of a file, from byte ``offset``, ``length`` bytes (its last end of line
    left out): what a worker reads and judges on its own."""

    offset: int
    length: int


def _spans(fd: int, size: int, seek: Callable[[int], object]) -> Iterator[_Span | _Rest | OSError]:
    """The file cut into spans of about a block, each ending at an end of line; only the
    bytes after each cut are read here, to find the end of line. Where none comes within a
    block, the rest is read a line at a time (a :class:`_Rest`, the file positioned there)."""
    offset = 0
    try:
        while offset < size:
            if offset + _SPAN_BYTES >= size:
                last = size - 1 if os.pread(fd, 1, size - 1) == b"\n" else size
                yield _Span(offset, last - offset)
                return
            cut = _next_end_of_line(fd, offset + _SPAN_BYTES, size)
            if cut < 0:
                seek(offset)
                yield _Rest(offset, b"")
                return
            yield _Span(offset, cut - offset)
            offset = cut + 1
    except OSError as exc:
        yield exc


def _next_end_of_line(fd: int, start: int, size: int) -> int:
    """Where the first end of line at or after ``start`` is, looking a block ahead at most."""
    at = start
    while at < min(size, start + _SPAN_BYTES):
        window = os.pread(fd, 1 << 12, at)
        if not window:
            break
        found = window.find(b"\n")
        if found >= 0:
            return at + found
        at += len(window)
    return -1


def _judged(
    items: Iterator[_Block | _Span | _Rest | OSError],
    judge: Callable[[object], tuple[int, int, list[_Lines]]],
    workers: int,
    readline: Callable[[int], bytes],
    source: str,
    settled: Settled,
    guessed: bool,
) -> Iterator[Payload | ReadProblem]:
    """Blocks or spans judged (by ``workers``, in order), their other batches taken line by
    line here; a :class:`_Rest` read a line at a time."""
    line_no = 0

    def sent(item: object) -> bool:
        return isinstance(item, (_Block, _Span))

    for item, judged in forked.in_order(judge, items, workers=workers, remote=sent):
        if isinstance(item, OSError):
            yield ReadProblem(source, line_no + 1, 0, open_message(item))
            return
        if isinstance(item, _Rest):
            lines = split_line_batches(
                Chained(item.data, readline).readline,
                source,
                lines=_BATCH_LINES,
                size=_BATCH_BYTES,
                line_no=line_no,
                offset=item.offset,
            )
            yield from _read_lines(lines, source, settled, guessed, True)
            return
        assert judged is not None
        count, taken, rest = judged
        settled.count += taken
        for batch in rest:  # numbered from the block: renumbered from the stream
            yield from _block(
                _Lines(line_no + batch.first_line, item.offset + batch.first_offset, batch.lines),
                source,
                settled,
            )
        line_no += count


def _read_lines(
    batches: Iterator[list[tuple[int, int, bytes] | ReadProblem]],
    source: str,
    settled: Settled | None,
    guessed: bool,
    batched: bool,
) -> Iterator[Payload | ReadProblem]:
    for batch in batches:
        pending: list[tuple[int, int, bytes]] = []
        for item in batch:
            if isinstance(item, ReadProblem):
                if guessed and item.line == 1:
                    # Not JSON Lines either: say what the file is, not what its first line is.
                    yield too_big(source, "json", first_line=True)
                    return
                yield from _batch(pending, source, settled)  # a problem ends its batch
                pending = []
                yield item
                continue
            line_no, line_offset, content = item
            if not content.strip(b" \t\r") or (line_no == 1 and content == BOM):
                continue
            if batched:
                pending.append(item)
            else:
                yield from _line(line_no, line_offset, content, source, settled)
        yield from _batch(pending, source, settled)


def _block(batch: _Lines, source: str, settled: Settled | None) -> Iterator[Payload | ReadProblem]:
    """A batch of block mode: judged whole when every line is JSON orjson may read, else
    line by line as the line reader would give it (blank lines, a BOM, a bad line)."""
    assert settled is not None and settled.takes_all is not None
    values = _values(batch, batch.first_line == 1)
    if values is None:
        yield from _batch(batch.numbered(), source, settled)
        return
    if settled.takes_all(values):
        settled.count += len(values)
        return
    for line_no, raw, value in zip(count(batch.first_line), batch.lines, values):
        if settled.takes(value):
            settled.count += 1
        else:
            content = raw[:-1] if raw.endswith(b"\r") else raw
            yield Payload(source, line_no - 1, value, LazyPositions(content.decode(), line_no))


def _parsed_each(contents: list[bytes], joined: bytes) -> list[object] | None:
    """orjson's value of each text, or None when some text is no JSON or needs the reader."""
    if not orjson_may_read_each(contents, joined):
        return None
    try:
        return [orjson.loads(content) for content in contents]
    except orjson.JSONDecodeError:
        return None  # some line is no JSON: each line as usual, for its message


def _batch(
    batch: list[tuple[int, int, bytes]], source: str, settled: Settled | None
) -> Iterator[Payload | ReadProblem]:
    """The lines of ``batch`` as ``_line`` gives them, in order, with one screen, one key
    count and one ``takes_all`` for the whole batch when every line passes."""
    if not batch:
        return
    assert settled is not None and settled.takes_all is not None
    contents = [content for _, _, content in batch]
    joined = b"\n".join(contents)
    values = _parsed_each(contents, joined)
    if values is None or not keys_kept(joined, values):
        for line_no, line_offset, content in batch:
            yield from _line(line_no, line_offset, content, source, settled)
        return
    if settled.takes_all(values):
        settled.count += len(values)
        return
    for (line_no, _, content), value in zip(batch, values, strict=True):
        if settled.takes(value):
            settled.count += 1
        else:
            yield Payload(source, line_no - 1, value, LazyPositions(content.decode(), line_no))


def _line(
    line_no: int, line_offset: int, content: bytes, source: str, settled: Settled | None
) -> Iterator[Payload | ReadProblem]:
    value = parse_fast(content)  # most lines: orjson, and no position until one is asked
    if value is not NEEDS_EXACT:
        if settled is not None and settled.takes(value):
            settled.count += 1
            return
        positions = LazyPositions(content.decode("utf-8"), line_no)
        yield Payload(source, line_no - 1, value, positions)
        return
    try:
        text = decode(content, first_line=line_no, base_offset=line_offset)
    except LocatedProblem as problem:
        yield ReadProblem(source, problem.line, problem.col, problem.message)
        return
    yield read_json_text(text, source, line_no - 1, line_no, per_line=True)
