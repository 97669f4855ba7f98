"""JSON text: a fast parse, and an exact scanner for positions and refusals."""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_right
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from itertools import accumulate
from json.decoder import JSONDecodeError, scanstring  # type: ignore[attr-defined]  # not in typeshed
from types import MappingProxyType
from typing import Any, cast

from ..pointer import escape as _escape
from ..text import one_line as _one_line
from . import base as limits  # read at call time: tests lower them
from .base import BadJson, Payload, PositionsOnDemand, ReadProblem, RefusedByHook

# ---------------------------------------------------------------------------
# JSON: fast value via json.loads, exact positions via a scanner on demand


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise RefusedByHook
    return result


def _refuse_constant(name: str) -> object:
    raise RefusedByHook


def _checked_float(token: str) -> float:
    # Called by json.loads only for numbers with a fraction or exponent, so it is cheap.
    number = float(token)
    if number in _INFINITIES:
        raise RefusedByHook
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
    if text.count("[") + text.count("{") <= limits.MAX_DEPTH:
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > limits.MAX_DEPTH


NEEDS_EXACT = object()  # parse_fast's answer when only the exact reader may judge the text
# Every digit as "0": a run of 19 (past what orjson keeps an int: it makes such a number a
# float) is then one substring test, at C speed as the other tests (a regex costs more here).
_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0" * 10)
_LONG_RUN = b"0" * 19


# keys_kept writes every object and array back with orjson, which refuses values nested more
# than this deep: with the nesting limit above it, a text past the limit never passes
# keys_kept, and its brackets need not be counted before orjson reads it.
_ORJSON_WRITE_DEPTH = 254


def orjson_may_read(content: bytes) -> bool:
    """The screen of :func:`parse_fast`: false when only the exact reader may judge the text."""
    if limits.MAX_DEPTH < _ORJSON_WRITE_DEPTH and _brackets(content) > limits.MAX_DEPTH:
        return False
    return _screened(content)


def orjson_may_read_each(contents: list[bytes], joined: bytes) -> bool:
    """:func:`orjson_may_read` of each text, given them joined by ``\n``: one pass over the
    joined bytes, and a count per text only when the brackets of all could pass the limit."""
    if not _screened(joined):
        return False
    if limits.MAX_DEPTH >= _ORJSON_WRITE_DEPTH or _brackets(joined) <= limits.MAX_DEPTH:
        return True
    return all(_brackets(c) <= limits.MAX_DEPTH for c in contents)


def _brackets(content: bytes) -> int:
    return content.count(b"[") + content.count(b"{")


def _screened(content: bytes) -> bool:
    return not (
        b"\\u003a" in content  # a colon written as an escape: see keys_kept
        or b"\\u003A" in content
        or _LONG_RUN in content.translate(_DIGITS_AS_ZERO)
    )


def keys_kept(content: bytes, value: object) -> bool:
    """Whether orjson kept every key of ``content`` (it keeps the last of duplicates), for a
    text :func:`orjson_may_read` passed: its compact form has as many colons. Each key has
    one in both; a colon inside a string is in both alike, unless the text wrote it
    ``\\u003a`` (then only the compact form has it, and could hide a lost key), which the
    screen sends to the reader. So a text never has fewer colons than its compact form, and
    this holds for several texts and the list of their values too."""
    if not isinstance(value, (dict, list)):
        return True
    import orjson  # loaded by parse_with_orjson already: a lookup

    try:
        compact = orjson.dumps(value)
    except TypeError:  # past orjson's write depth (254), within its read depth: ask the reader
        return False
    return content.count(b":") == compact.count(b":")


# orjson's import (its Rust library, and the uuid, platform and datetime modules it loads)
# costs about what the stdlib reader's extra time does on a few MB of JSON, so until this
# budget is spent a text is read with the stdlib: a one-file run need not load orjson. Each
# text is charged its bytes plus _TEXT_COST for the decoder's own cost per call.
STDLIB_BUDGET = 1 << 20
_TEXT_COST = 256
_stdlib_left = STDLIB_BUDGET


def parse_fast(content: bytes) -> object:
    """The value of one JSON text, where it is sure to be what the exact reader gives; else
    NEEDS_EXACT. The stdlib's reader while its budget lasts (and orjson is not loaded
    anyway), then orjson: either way the same answer as the exact reader."""
    global _stdlib_left
    if _stdlib_left > 0 and "orjson" not in sys.modules:
        _stdlib_left -= len(content) + _TEXT_COST
        return parse_with_stdlib(content)
    return parse_with_orjson(content)


def prefer_orjson() -> None:
    """Read with orjson from now on: before many texts (and before forking workers, so that
    they share its import)."""
    global _stdlib_left
    _stdlib_left = 0
    import orjson  # noqa: F401  # now, so that workers forked next inherit it


def parse_with_stdlib(content: bytes) -> object:
    """The exact reader's own first step on UTF-8 without a BOM: its value when no
    position-tracking pass is needed, else NEEDS_EXACT."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return NEEDS_EXACT  # the exact reader says which byte
    return _decoded(text)


def _decoded(text: str) -> object:
    """``text``'s value by the stdlib decoder with the reader's refusals, or NEEDS_EXACT when
    only the scanner may judge it (it does not parse, a refused value, a lone surrogate, a
    nesting past the limit)."""
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError, RefusedByHook):
        # Includes over-long integers (ValueError) and deep nesting (RecursionError):
        # the scanner is iterative and says exactly what and where.
        return NEEDS_EXACT
    if _may_hold_surrogate(text) or _deeper_than_limit(text):
        return NEEDS_EXACT
    return value


def parse_with_orjson(content: bytes) -> object:
    """orjson's value of one JSON text, where it is sure to be what the exact reader gives;
    else NEEDS_EXACT: the text does not parse, or it might hold what orjson takes and the
    reader refuses or reads otherwise (a duplicate key, a nesting past the limit, an integer
    of 19 digits or more, which orjson may turn into a float). orjson refuses a lone surrogate
    escape itself, so that the reader says where it is.

    A duplicate key shows as a key lost, which :func:`keys_kept` sees. ``\\u`` escapes
    (``json.dumps``' default ``ensure_ascii``) stay on the fast path."""
    import orjson  # see STDLIB_BUDGET: loaded on first use, then a lookup

    if not orjson_may_read(content):
        return NEEDS_EXACT
    try:
        value = orjson.loads(content)
    except orjson.JSONDecodeError:
        return NEEDS_EXACT  # the exact reader says what and where
    return value if keys_kept(content, value) else NEEDS_EXACT


def parse_json(
    text: str, source: str = "<text>", index: int = 0, line: int = 1
) -> Payload | ReadProblem:
    """One JSON value from text (e.g. a line of a trace), refused as ``read_payloads`` would:
    duplicate keys, NaN and Infinity, nesting past the limit; ``line`` is where it starts."""
    try:
        return read_json_text(text, source, index, line, per_line=True)
    except Exception as exc:  # noqa: BLE001 - never a traceback for a user's file
        return ReadProblem(source, line, 0, f"internal error reading JSON: {exc!r}")


def read_json_text(
    text: str, source: str, index: int, first_line: int, *, per_line: bool
) -> Payload | ReadProblem:
    """Parse one JSON value; ``first_line`` is the file line where ``text`` starts."""
    return parse_json_text(text, source, index, first_line, per_line=per_line)[0]


def parse_json_text(
    text: str, source: str, index: int, first_line: int, *, per_line: bool
) -> tuple[Payload | ReadProblem, bool]:
    """Like read_json_text, plus whether a problem is malformed text (not a refused value)."""
    value = _decoded(text)
    if value is not NEEDS_EXACT:
        positions: Mapping[str, tuple[int, int]] = LazyPositions(text, first_line)
        return Payload(source, index, value, positions), False
    try:
        value, offsets = _scan_json(text, first_line, per_line=per_line)
    except BadJson as bad:
        line, col = locate_offset(text, bad.offset, first_line)
        return ReadProblem(source, line, col, bad.message), bad.syntax
    positions = MappingProxyType(_offsets_to_positions(text, offsets, first_line))
    return Payload(source, index, value, positions), False


def locate_offset(text: str, offset: int, first_line: int) -> tuple[int, int]:
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


class LazyPositions(PositionsOnDemand):
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
        except BadJson:  # pragma: no cover - json.loads accepted this text
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
            except BadJson:  # pragma: no cover - json.loads accepted this text
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
MISSING = object()


def _scan_json(
    text: str, first_line: int, *, per_line: bool, wanted: Container[str] | None = None
) -> tuple[object, list[tuple[str, int]]]:
    """Iterative JSON parser: value plus (pointer, offset) of every value (or only of the
    ``wanted`` pointers), or BadJson.

    No recursion, so nesting is limited by limits.MAX_DEPTH only, never by the C stack.
    """
    n = len(text)
    # _WS matches the empty string, so match() never returns None.
    ws = cast("Callable[[str, int], re.Match[str]]", _WS.match)
    offsets: list[tuple[str, int]] = []
    # Frame: [container, pointer, seen-keys (None for a list), current key]
    stack: list[list] = []
    root: object = MISSING
    pos = ws(text, 0).end()
    pointer = ""
    if pos >= n:
        what = "the line" if per_line else "the file"
        raise BadJson(0, f"{what} holds no JSON value (it is empty)")
    while True:
        # A value starts at pos.
        if pos >= n:
            raise BadJson(pos, "the JSON ends early (truncated?): a value is missing here")
        c = text[pos]
        if wanted is None or pointer in wanted:
            offsets.append((pointer, pos))
        if c == "{" or c == "[":
            if len(stack) >= limits.MAX_DEPTH:
                raise BadJson(
                    pos,
                    f"nesting deeper than {limits.MAX_DEPTH} levels: flatten the payload",
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
                    raise BadJson(
                        pos, f"unexpected {_describe(text, pos)} after the JSON value: {hint}"
                    )
                return root, offsets
            frame = stack[-1]
            is_list = frame[2] is None
            closer = "]" if is_list else "}"
            if pos >= n:
                raise BadJson(pos, f"the JSON ends early (truncated?): expected ',' or '{closer}'")
            c = text[pos]
            if c == closer:
                pos += 1
                stack.pop()
                continue
            if c != ",":
                where = "an array item" if is_list else "an object member"
                raise BadJson(
                    pos, f"expected ',' or '{closer}' after {where}, found {_describe(text, pos)}"
                )
            comma = pos
            pos = ws(text, pos + 1).end()
            if pos < n and text[pos] == closer:
                raise BadJson(
                    comma, f"trailing comma before '{closer}': JSON allows none; remove it"
                )
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
        raise BadJson(pos, "the JSON ends early (truncated?): expected a key in double quotes")
    if text[pos] != '"':
        raise BadJson(pos, f"expected a key in double quotes, found {_describe(text, pos)}")
    key, end = _scan_string(text, pos)
    seen = frame[2]
    first = seen.get(key)
    if first is not None:
        first_at = first_line + text.count("\n", 0, first)
        raise BadJson(
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
        raise BadJson(pos, f"expected ':' after the key {key!r}, found {_describe(text, pos)}")
    return cast("re.Match[str]", _WS.match(text, pos + 1)).end(), frame[1] + "/" + _escape(key)


def _scan_string(text: str, pos: int) -> tuple[str, int]:
    try:
        value, end = scanstring(text, pos + 1, True)
    except JSONDecodeError as exc:
        raise BadJson(exc.pos, _string_message(text, exc)) from None
    if _SURROGATE.search(value):
        raise BadJson(
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
            raise BadJson(
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
            raise BadJson(pos, f"invalid number {shown!r}: {return_hint}")
        number = match.group()
        if match.group(1) or match.group(2):
            result = float(number)
            if result in (float("inf"), float("-inf")):
                raise BadJson(
                    pos,
                    f"number {short_token(number)} is too large for a 64-bit float: "
                    "write it as a string",
                    syntax=False,
                )
            return result, end
        try:
            return int(number), end
        except ValueError:
            # Python refuses to convert integers longer than sys.get_int_max_str_digits().
            raise BadJson(
                pos,
                f"integer with {len(number.lstrip('-'))} digits is too long to read: "
                "write it as a string",
                syntax=False,
            ) from None
    raise BadJson(pos, f"expected a JSON value, found {_describe(text, pos)}")


def short_token(token: str) -> str:
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
        return f"{short_token(word)!r} (strings must be in double quotes)"
    if c.isprintable():
        return repr(c)
    return f"character U+{ord(c):04X}"
