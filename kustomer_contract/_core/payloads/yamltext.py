"""YAML: events to values with their marks, JSON semantics only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import MappingProxyType
from typing import Any

import yaml
import yaml.constructor
import yaml.events as ev
import yaml.nodes
import yaml.reader

from ..pointer import escape as _escape
from ..text import one_line as _one_line
from . import base as limits  # read at call time: tests lower them
from .base import LocatedProblem, Payload, ReadProblem
from .jsontext import MISSING, locate_offset, short_token

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


def read_yaml(text: str, source: str) -> Iterator[Payload | ReadProblem]:
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
                except LocatedProblem as problem:
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
            if depth > limits.MAX_DEPTH:
                return False
        elif isinstance(event, ev.CollectionEndEvent):
            depth -= 1


_YAML_HINTS = (
    ("mapping values are not allowed", "quote a value that contains ': '"),
    ("could not find expected ':'", "a key needs ': ' after it, or quote the line"),
    (
        "maximum nesting depth",
        f"nesting deeper than {limits.MAX_DEPTH} levels is refused; flatten it",
    ),
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
        line, col = locate_offset(text, min(position, len(text)), 1)
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
        except LocatedProblem as problem:
            problem.depth = len(stack)  # lets the caller skip the rest safely
            raise

    def _build(self, stack: list[list]) -> tuple[object, dict[str, tuple[int, int]]]:
        entries = self.entries
        # Frame: [container, pointer, is_map, key (MISSING while expecting one),
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
            if top is not None and top[2] and top[3] is MISSING:
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
                if len(stack) >= limits.MAX_DEPTH:
                    too_deep = LocatedProblem(
                        line,
                        col,
                        f"nesting deeper than {limits.MAX_DEPTH} levels: flatten the payload",
                    )
                    too_deep.stop = True
                    raise too_deep
                is_map = kind is ev.MappingStartEvent
                self._check_collection_tag(event.tag, _MAP if is_map else _SEQ, line, col)
                value = {} if is_map else []
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                stack.append([value, pointer, is_map, MISSING, {}, event.anchor, len(entries)])
                entries.append((pointer, line, col))
            if top is None:
                root = value
            elif top[2]:
                top[0][top[3]] = value
                top[3] = MISSING
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
            raise LocatedProblem(
                line, col, "a list or map used as a key: a JSON payload has string keys only"
            )
        if not isinstance(key, str):
            what = _KEY_KINDS.get(type(key), "not a string")
            raise LocatedProblem(
                line,
                col,
                f"key {raw!r} is read by YAML as {what}: a JSON payload has string keys; quote it",
            )
        seen = frame[4]
        if key in seen:
            raise LocatedProblem(
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
                raise LocatedProblem(line, col, f"alias *{name} refers to a node that contains it")
            raise LocatedProblem(line, col, f"alias *{name} has no anchor &{name} before it")
        return found

    def _alias(self, event: ev.AliasEvent, pointer: str, line: int, col: int) -> object:
        value, start, end, base = self._anchor(event, line, col)
        self.expanded += max(end - start, 1)
        if self.expanded > limits.MAX_ALIAS_VALUES:
            raise LocatedProblem(
                line,
                col,
                f"aliases expand to more than {limits.MAX_ALIAS_VALUES} values (an alias bomb?): "
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
                    raise LocatedProblem(
                        line,
                        col,
                        f"YAML read {short_token(value)} as a NaN or infinite float, which JSON "
                        "cannot hold: use null, or quote it to keep it a string",
                    )
                return number
        except LocatedProblem:
            raise
        except Exception:  # e.g. "!!int abc", or an integer too long for int()
            digits = sum(ch.isdigit() for ch in value)
            if tag == _INT and digits > 4000:
                raise LocatedProblem(
                    line,
                    col,
                    f"integer with {digits} digits is too long to read: write it as a string",
                ) from None
            raise LocatedProblem(
                line,
                col,
                f"{short_token(value)!r} is not a valid {_show_tag(tag)}: fix or quote it",
            ) from None
        if tag == _TAG + "timestamp":
            raise LocatedProblem(
                line,
                col,
                f"YAML read {short_token(value)} as a date; quote it ('{short_token(value)}')",
            )
        if tag == _TAG + "merge":
            raise LocatedProblem(
                line, col, "YAML merge keys (<<) are not supported: write the keys out"
            )
        raise LocatedProblem(line, col, _tag_message(tag))

    @staticmethod
    def _check_collection_tag(tag: str | None, expected: str, line: int, col: int) -> None:
        if tag is not None and tag != "!" and tag != expected:
            raise LocatedProblem(line, col, _tag_message(tag))


def _tag_message(tag: str) -> str:
    return _one_line(
        f"YAML tag {short_token(_show_tag(tag))} is not allowed: a payload holds only JSON values "
        "(strings, numbers, booleans, null, lists, maps); remove the tag"
    )
