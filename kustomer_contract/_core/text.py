"""Values as short text for one-line messages."""

from __future__ import annotations

import json
from typing import Any


def one_line(text: object) -> str:
    """``text`` on one line: a message printed for CI logs never spans several."""
    return " ".join(str(text).split())


def json_repr(value: Any, limit: int = 60) -> str:
    """A value as JSON, shortened for one-line messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(value)
        except Exception:  # noqa: BLE001 - e.g. an int past Python's int->str limit
            text = f"<a {type(value).__name__} that cannot be printed>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_text(error: BaseException) -> str | None:
    """``str(error)``, or None when the error's own ``__str__`` raises."""
    try:
        return str(error)
    except KeyboardInterrupt:  # in the main thread, that is the user's Ctrl-C
        raise
    except BaseException:  # noqa: BLE001 - a hostile __str__ is reported, never a crash
        return None


def describe_error(error: Any) -> str:
    """An error in one line, whatever it is (its ``str()`` may raise)."""
    name = type(error).__name__
    if isinstance(error, BaseException):
        text = error_text(error)
        if text is None:
            return f"{name} (whose str() raises)"
        return f"{name}: {text}" if text else name
    return f"{name} {json_repr(error)}"
