"""Call sequences as data: a case is login tokens plus steps (start is implicit); timing is
drawn (``gap_ms``) and shrunk like any other value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ACTIONS = (
    "describe",  # valid options, with a callback
    "describe-invalid",  # options outside the schema (label says where)
    "describe-unknown",  # a custom attribute the Klass lacks
    "describe-no-callback",  # valid options, no callback
    "describe-before-start",  # valid options, issued before start is called
    "overlap",  # several valid describes in flight at once
    "login",  # identify with token number ``token``
    "describe-during-login",  # login, then a describe before login's callback (a caller's mistake)
    "logout",
)
# Steps whose outcome a correct implementation may decide by timing (which call lands first).
RACING_ACTIONS = frozenset(
    {"describe-no-callback", "describe-before-start", "overlap", "describe-during-login"}
)


@dataclass(frozen=True)
class Step:
    """One thing the runner does; a case is a list of steps (start is implicit)."""

    action: str
    options: Any = None  # options; a list of options for "overlap"
    token: int = 0
    label: Mapping[str, str] | None = None  # for invalid options: pointer, keyword, message
    gap_ms: int = 0  # pause before the step: timing is drawn and shrunk like data
    method: str | None = None  # which describe method; None is the spec's target

    @property
    def broken_rule(self) -> str:
        """Where and which rule invalid options break, as reports print it
        (``/a/0: format``; ``the options object: additionalProperties`` at the root)."""
        if not self.label:
            return ""
        return (
            f"{self.label.get('pointer') or 'the options object'}: {self.label.get('keyword', '')}"
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action}
        if self.options is not None:
            out["options"] = self.options
        if self.action in ("login", "describe-during-login"):
            out["token"] = self.token
        if self.label:
            out["label"] = dict(self.label)
        if self.gap_ms:
            out["gap_ms"] = self.gap_ms
        if self.method:
            out["method"] = self.method
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Step:
        return cls(
            data["action"],
            data.get("options"),
            data.get("token", 0),
            data.get("label"),
            data.get("gap_ms", 0),
            data.get("method"),
        )


@dataclass(frozen=True)
class Case:
    """A generated call sequence: login tokens, steps before start, steps after."""

    tokens: tuple[Any, ...]  # options for the identify method, by token number
    steps: tuple[Step, ...]

    @property
    def races(self) -> bool:
        """Whether what the case shows may depend on timing, so one run may not show it."""
        return any(step.action in RACING_ACTIONS for step in self.steps)

    def to_json(self) -> dict[str, Any]:
        used = [s.token for s in self.steps if s.action in ("login", "describe-during-login")]
        tokens = list(self.tokens[: max(used) + 1]) if used else []  # only what a replay needs
        return {"tokens": tokens, "steps": [s.to_json() for s in self.steps]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Case:
        return cls(tuple(data.get("tokens", ())), tuple(Step.from_json(s) for s in data["steps"]))
