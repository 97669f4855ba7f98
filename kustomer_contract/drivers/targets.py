"""The one place a target becomes a driver.

A target is a Python factory (``module:attribute``), a JavaScript module run with Node (a
``.js``/``.mjs``/``.cjs`` path) or a page run in Chromium (an HTML file or an http(s) URL)."""

from __future__ import annotations

from ..spec.bindings import Binding
from ..spec.types import Klass, Spec
from .base import Driver, Kind


def is_page(target: str) -> bool:
    """A page checked in a browser: an HTML file or an http(s) URL."""
    return target.endswith((".html", ".htm")) or target.startswith(("http://", "https://"))


def is_javascript(target: str) -> bool:
    return target.endswith((".js", ".mjs", ".cjs")) or is_page(target)


def kind_of(target: str) -> Kind:
    return "page" if is_page(target) else "node" if is_javascript(target) else "python"


def open_driver(
    target: str,
    spec: Spec,
    klass: Klass | None,
    kind: Kind | None = None,
    binding: Binding | None = None,
) -> Driver:
    """The driver for ``target``; ``kind`` as the user said it, else read off the target.
    ``binding``: how the implementation is called (None: the web binding)."""
    kind = kind or kind_of(target)
    if kind == "page":
        from .page import PageDriver

        return PageDriver(target, spec, klass, target, binding=binding)
    if kind == "node":
        from .node import NodeDriver

        return NodeDriver(target, spec, klass, target, binding=binding)
    from .python import PythonDriver, load_factory

    return PythonDriver(load_factory(target), spec, klass, target, binding=binding)
