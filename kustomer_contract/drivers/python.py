"""Drive a Python implementation: a zero-argument factory named ``module:attribute``."""

from __future__ import annotations

import importlib
import inspect
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..spec import Klass, Spec


class ImplementationError(Exception):
    """The implementation could not be loaded or built (a user error: exit code 2)."""


def load_factory(target: str) -> Callable[..., Any]:
    """Import ``module:attribute`` (attribute may be dotted); the cwd is importable, as in pytest."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ImplementationError(
            f"--impl {target!r}: expected module:attribute, e.g. mypkg.fake:make"
        )
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's to fix
        raise ImplementationError(
            f"--impl {target!r}: cannot import {module_name!r}: {type(exc).__name__}: {exc}"
        ) from None
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise ImplementationError(
                f"--impl {target!r}: {module_name!r} has no attribute {attribute!r}"
            )
        obj = getattr(obj, part)
    if not callable(obj):
        raise ImplementationError(
            f"--impl {target!r}: {attribute!r} is not callable (give a factory or a class)"
        )
    return obj


@dataclass
class Returned:
    """How a method call returned: normally, by raising, or not within the timeout."""

    raised: BaseException | None = None
    hung: bool = False


class PythonDriver:
    """Calls the SDK's methods on a fresh object per case; each call runs in its own thread
    so a method that never returns is reported instead of hanging the run."""

    language = "python"

    def __init__(
        self, factory: Callable[..., Any], spec: Spec, klass: Klass | None = None, label: str = ""
    ):
        self.factory = factory
        self.spec = spec
        self.klass = klass
        self.label = label or getattr(factory, "__qualname__", repr(factory))
        self._kwargs = self._factory_kwargs()

    def _factory_kwargs(self) -> dict[str, Any]:
        """Optional factory parameters: ``klass`` (the names), ``klasses`` (further Klasses'
        names by Klass, e.g. conversation) and ``spec`` (its path)."""
        try:
            params = inspect.signature(self.factory).parameters
        except (TypeError, ValueError):
            return {}
        kwargs: dict[str, Any] = {}
        if "klass" in params and self.klass is not None:
            kwargs["klass"] = sorted(self.klass.attributes)
        if "klasses" in params and self.klass is not None:  # further Klasses, by name
            kwargs["klasses"] = {name: sorted(names) for name, names in self.klass.others}
        if "spec" in params:
            kwargs["spec"] = str(self.spec.path.parent)
        return kwargs

    def new_instance(self) -> Any:
        try:
            instance = self.factory(**self._kwargs)
        except Exception as exc:  # noqa: BLE001
            raise ImplementationError(
                f"the factory {self.label} raised {type(exc).__name__}: {exc}"
            ) from exc
        missing = [
            name
            for name, m in self.spec.methods.items()
            if not m.optional and not callable(getattr(instance, name, None))
        ]
        if missing:
            raise ImplementationError(
                f"the object from {self.label} lacks the SDK method(s) {', '.join(missing)}"
            )
        return instance

    def call(self, instance: Any, method: str, args: list[Any], timeout: float) -> Returned:
        result = Returned(hung=True)

        def run() -> None:
            try:
                getattr(instance, method)(*args)
                result.hung = False
            except BaseException as exc:  # noqa: BLE001 - reported as a failure, never a crash
                result.raised, result.hung = exc, False

        worker = threading.Thread(target=run, name=f"kustomer-call-{method}", daemon=True)
        worker.start()
        worker.join(timeout)
        return result

    def has_method(self, instance: Any, name: str) -> bool:
        return callable(getattr(instance, name, None))

    def close(self, instance: Any) -> None:
        """Nothing to release for in-process objects."""
