"""``[tool.kustomer-contract]`` in pyproject.toml: a project's settings, for the CLI and the plugin.

The file is the first ``pyproject.toml`` with that table in the directory given or one of
its parents (as pytest looks for its rootdir). Its keys are the settings' names, spelled as
the flags (``max-examples``) or as the ini keys without their prefix (``max_examples``)::

    [tool.kustomer-contract]
    impl = "mypkg.fake:make"
    klass = "klass.yaml"
    max-examples = 200
    timeout = 5

Values go through the flags' own parsers; a relative path is taken from the file's
folder. A bad value or an unknown key is a ``ConfigError`` naming the file and the key.
Precedence is the caller's: the CLI puts its command line above the file, the plugin its
command line and ini keys. Imports nothing heavy: the plugin reads it at pytest start-up.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import KustomerContractError
from .settings import (
    DEFAULT_GRACE,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SPEC,
    DEFAULT_TIMEOUT,
    SHRINK_BUDGET,
    non_negative_float,
    positive_float,
    positive_int,
)

__all__ = ["DEFAULTS", "KEYS", "Chosen", "Config", "ConfigError", "choose", "find", "load"]

FILE = "pyproject.toml"
TABLE = "kustomer-contract"  # under [tool]


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None


# Each key (underscores) with its parser: the flags' and the plugin's options' own.
KEYS: dict[str, Callable[[str], Any]] = {
    "impl": str,
    "node": str,
    "browser": str,
    "binding": str,
    "klass": str,
    "spec": str,
    "max_examples": positive_int,
    "seed": _whole,
    "timeout": positive_float,
    "grace": non_negative_float,
    "shrink_budget": positive_int,
}
NUMBERS = {"max_examples", "seed", "timeout", "grace", "shrink_budget"}
PATHS = {"node", "browser", "klass", "spec", "binding"}  # taken from the file's folder if there
KINDS = ("impl", "node", "browser")  # the ways to name the implementation: one per run
# What a setting is when nobody gave it (None: the session decides: a drawn seed, ...).
DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(KEYS),
    "spec": DEFAULT_SPEC,
    "max_examples": DEFAULT_MAX_EXAMPLES,
    "timeout": DEFAULT_TIMEOUT,
    "grace": DEFAULT_GRACE,
    "shrink_budget": SHRINK_BUDGET,
}
COMMAND_LINE = "command line"


class ConfigError(KustomerContractError):
    """A pyproject.toml that cannot be read, or a key or value in it that is wrong."""


def flag_name(key: str) -> str:
    """``max_examples`` as the flag and the file spell it: ``max-examples``."""
    return key.replace("_", "-")


@dataclass(frozen=True)
class Config:
    """The settings a pyproject.toml gives (keys with underscores, values parsed)."""

    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def shown(self) -> str:
        """The file as messages name it: relative to the current directory (``pyproject.toml``,
        ``../pyproject.toml``), absolute when that is no shorter."""
        return _shown(self.path) if self.path is not None else ""


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return relative if len(relative) <= len(str(path)) else str(path)


def find(start: Path | str | None = None) -> Path | None:
    """The first pyproject.toml with a ``[tool.kustomer-contract]`` table, in ``start``
    (default: the current directory) or one of its parents."""
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / FILE
        if candidate.is_file() and TABLE in _tool(candidate):
            return candidate
    return None


def load(start: Path | str | None = None) -> Config:
    """The settings of the pyproject.toml ``find`` finds (none: an empty Config)."""
    path = find(start)
    return read(path) if path is not None else Config()


def read(path: Path) -> Config:
    """The ``[tool.kustomer-contract]`` table of ``path``, each value checked."""
    table = _tool(path).get(TABLE, {})
    where = Config(path).shown
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [tool.{TABLE}] must be a table of settings")
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for raw, value in table.items():
        key = raw.replace("-", "_")
        if key not in KEYS:
            known = [flag_name(k) for k in KEYS]
            close = difflib.get_close_matches(flag_name(key), known, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; the keys are {', '.join(known)}"
            raise ConfigError(f"{where}: [tool.{TABLE}] {raw}: unknown key{hint}")
        if key in spelled:
            raise ConfigError(
                f"{where}: [tool.{TABLE}] {raw}: given twice (also as {spelled[key]})"
            )
        spelled[key] = raw
        values[key] = _parsed(where, raw, key, value, path.parent)
    kinds = [k for k in KINDS if k in values]
    if len(kinds) > 1:
        raise ConfigError(
            f"{where}: [tool.{TABLE}] {' and '.join(kinds)} both name the implementation; give one"
        )
    return Config(path, values)


def _parsed(where: str, raw: str, key: str, value: Any, folder: Path) -> Any:
    said = f"{where}: [tool.{TABLE}] {raw} = {_toml(value)}"
    wanted = "a number" if key in NUMBERS else "a string"
    if isinstance(value, bool) or not isinstance(value, (int, float) if key in NUMBERS else str):
        raise ConfigError(f"{said}: expected {wanted}")
    try:
        parsed = KEYS[key](str(value))
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{said}: {exc}") from None
    if key in PATHS and not os.path.isabs(parsed) and (folder / parsed).exists():
        parsed = str(folder / parsed)  # the file's neighbour, wherever the run starts
    return parsed


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value) if not isinstance(value, (int, float)) else str(value)


def _tool(path: Path) -> dict[str, Any]:
    """The ``[tool]`` table of a pyproject.toml; a file that is no TOML is a ConfigError."""
    # tomllib from Python 3.11; on 3.10, tomli (which pytest requires there)
    from importlib import import_module

    toml: Any = import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    try:
        with open(path, "rb") as handle:
            document = toml.load(handle)
    except OSError as exc:
        raise ConfigError(f"{_shown(path)}: cannot read: {exc.strerror or exc}") from None
    except toml.TOMLDecodeError as exc:
        raise ConfigError(f"{_shown(path)}: not valid TOML: {exc}") from None
    tool = document.get("tool", {})
    return tool if isinstance(tool, dict) else {}


@dataclass(frozen=True)
class Chosen:
    """Every setting's value, and where each one that was given came from."""

    values: dict[str, Any]
    origins: dict[str, str]  # key -> "command line" or the file, for the given ones
    config: Config

    def described(self) -> str:
        """``max-examples 20 (pyproject.toml), seed 3 (command line)``, in KEYS order."""
        return ", ".join(
            f"{flag_name(k)} {_value_shown(k, self.values[k])} ({self.origins[k]})"
            for k in KEYS
            if k in self.origins
        )


def _value_shown(key: str, value: Any) -> str:
    """A file the settings name, as short as it is unambiguous from here."""
    return _shown(Path(value)) if key in PATHS and os.path.isabs(str(value)) else str(value)


def choose(given: Mapping[str, Any], config: Config) -> Chosen:
    """The command line (``given``: None for a flag not given) over the file over the
    defaults. A command line that names the implementation drops the file's."""
    named = any(given.get(k) is not None for k in KINDS)
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for key in KEYS:
        if given.get(key) is not None:
            values[key], origins[key] = given[key], COMMAND_LINE
        elif key in config.values and not (named and key in KINDS):
            values[key], origins[key] = config.values[key], config.shown
        else:
            values[key] = DEFAULTS[key]
    return Chosen(values, origins, config)
