"""The same seed draws the same cases in every process, whatever it has imported.

Hypothesis mixes into its draws, now and then, constants it finds in the source of the local
(not installed, not test) modules imported so far. Which those are differs from one process
to the next: a pytest run has the user's helpers loaded, the CLI replay it prints has not, an
xdist worker has others again. A seed would then give other cases there, and a printed
replay could pass. While a search of ours runs, hypothesis sees no local constants (its
built-in ones stay), and its cache of constants is emptied on the way in and out, so that
neither our runs nor the user's other tests see the other's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["independent_of_loaded_modules"]

_lock = threading.RLock()  # nested and concurrent uses patch and restore once
_depth = 0


def _providers():
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a hypothesis without the feature
        return None
    needed = ("_get_local_constants", "Constants", "CONSTANTS_CACHE")
    return providers if all(hasattr(providers, name) for name in needed) else None


def constants_are_pinned() -> bool:
    """Whether this hypothesis has the feature and it is turned off right now (for tests)."""
    providers = _providers()
    return providers is not None and getattr(providers._get_local_constants, "_pinned", False)


@contextmanager
def independent_of_loaded_modules() -> Iterator[None]:
    global _depth
    providers = _providers()
    if providers is None:
        yield
        return
    with _lock:
        if _depth == 0:
            original = providers._get_local_constants
            empty = providers.Constants()

            def no_local_constants():
                return empty

            no_local_constants._pinned = True  # type: ignore[attr-defined]
            no_local_constants._original = original  # type: ignore[attr-defined]
            providers._get_local_constants = no_local_constants
            providers.CONSTANTS_CACHE.cache.clear()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                providers._get_local_constants = providers._get_local_constants._original
                providers.CONSTANTS_CACHE.cache.clear()
