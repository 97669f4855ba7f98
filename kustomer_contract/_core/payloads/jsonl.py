"""JSON Lines: one payload per line, read line by line in constant memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator

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
from .jsontext import NEEDS_EXACT, LazyPositions, parse_fast, read_json_text

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
    limit = limits.MAX_FILE_BYTES
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
            yield ReadProblem(source, line_no + 1, 0, open_message(exc))
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


def read_jsonl(
    readline: Callable[[int], bytes],
    source: str,
    *,
    guessed: bool = False,
    settled: Settled | None = None,
) -> Iterator[Payload | ReadProblem]:
    """Stream one payload per line; memory stays bounded by the longest line.

    ``guessed``: read as JSON Lines only because it is too big for one JSON/YAML document.
    ``settled``: the payloads of the fast path it takes are counted there, not yielded.
    """
    for item in split_lines(readline, source):
        if isinstance(item, ReadProblem):
            if guessed and item.line == 1:
                # Not JSON Lines either: say what the file is, not what its first line is.
                yield too_big(source, "json", first_line=True)
                return
            yield item
            continue
        line_no, line_offset, content = item
        if not content.strip(b" \t\r") or (line_no == 1 and content == BOM):
            continue
        value = parse_fast(content)  # most lines: orjson, and no position until one is asked
        if value is not NEEDS_EXACT:
            if settled is not None and settled.takes(value):
                settled.count += 1
                continue
            positions = LazyPositions(content.decode("utf-8"), line_no)
            yield Payload(source, line_no - 1, value, positions)
            continue
        try:
            text = decode(content, first_line=line_no, base_offset=line_offset)
        except LocatedProblem as problem:
            yield ReadProblem(source, problem.line, problem.col, problem.message)
            continue
        yield read_json_text(text, source, line_no - 1, line_no, per_line=True)


