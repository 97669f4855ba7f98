"""What the readers yield (Payload, ReadProblem), their limits, and the shared ways to fail."""

from __future__ import annotations

import errno
import os
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import NamedTuple

from ..pointer import tokens
from ..text import one_line as _one_line

MAX_FILE_BYTES = 50_000_000
"""Largest JSON/YAML file (and largest single JSON Lines line) read, in bytes."""
MAX_DEPTH = 1000
"""Deepest nesting of lists/objects accepted."""
MAX_ALIAS_VALUES = 10_000
"""Most values YAML aliases may add to one document (stops "billion laughs")."""

KINDS = ("json", "jsonl", "yaml")
SUFFIX_KINDS = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".yaml": "yaml",
    ".yml": "yaml",
}
DEFAULT_GLOBS = ("*.json", "*.jsonl", "*.ndjson", "*.yaml", "*.yml")
BOM = b"\xef\xbb\xbf"


# ---------------------------------------------------------------------------
# Public data types


class PositionsOnDemand(Mapping[str, tuple[int, int]]):
    """A position map that finds positions when asked; ``prefetch`` finds several in one pass."""

    __slots__ = ()

    @abstractmethod
    def prefetch(self, pointers: Iterable[str]) -> None: ...


class Settled:
    """Where a reader of JSON or JSON Lines leaves the payloads its caller is done with on sight
    (``takes(value)`` true: e.g. valid ones, when a report shows nothing of them), counted in
    ``count`` instead of yielded: a million valid lines build no Payload and no position map."""

    def __init__(
        self,
        takes: Callable[[object], bool],
        takes_all: Callable[[list[object]], bool] | None = None,
    ) -> None:
        self.takes = takes
        # Optional: whether it takes every value of a batch, in one call (False may only
        # mean "ask one by one"); lets a reader judge lines a batch at a time.
        self.takes_all = takes_all
        self.count = 0


# NamedTuples rather than dataclasses here and in the spec's types: a one-file validate
# would spend a sixth of its time importing dataclasses (and inspect) and building the classes.
class Payload(NamedTuple):
    """One parsed payload and where each of its values starts in the file."""

    source: str
    index: int  # type: ignore[assignment]  # the payload's place; hides tuple.index, unused
    value: object
    positions: Mapping[str, tuple[int, int]]

    def __repr__(self) -> str:
        # Without the positions: the map can be as large as the payload, and computed lazily.
        return f"Payload(source={self.source!r}, index={self.index!r}, value={self.value!r})"

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
        if isinstance(self.positions, PositionsOnDemand):
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


class ReadProblem(NamedTuple):
    """Why (part of) a file could not be read; line/col are 1-based, 0 = whole file."""

    source: str
    line: int
    col: int
    message: str


# ---------------------------------------------------------------------------
# Internal errors (never escape this module)


class LocatedProblem(Exception):
    """A located problem; ``syntax`` tells a malformed text from a refused value."""

    def __init__(self, line: int, col: int, message: str, *, syntax: bool = True) -> None:
        super().__init__(message)
        self.line, self.col, self.message, self.syntax = line, col, message, syntax
        self.depth = 0  # YAML: nesting level where the problem was found
        self.stop = False  # YAML: do not try the following documents


class BadJson(Exception):
    """A JSON problem at a character offset, located into line/col by the caller."""

    def __init__(self, offset: int, message: str, *, syntax: bool = True) -> None:
        super().__init__(message)
        self.offset, self.message, self.syntax = offset, message, syntax


class RefusedByHook(Exception):
    """Raised from json.loads hooks to send the text to the exact scanner."""


def too_big(source: str, kind: str, *, first_line: bool = False) -> ReadProblem:
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


def open_message(exc: BaseException) -> str:
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


# ---------------------------------------------------------------------------
# Text decoding


def decode(data: bytes, *, first_line: int = 1, base_offset: int = 0) -> str:
    """Strict UTF-8 (a leading BOM skipped); a bad byte becomes a located LocatedProblem."""
    if data.startswith(BOM):
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
        raise LocatedProblem(line, col, f"invalid UTF-8 ({where}): {hint}") from None
