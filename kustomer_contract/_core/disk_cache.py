"""Values worth keeping between processes (a loaded spec), on disk, checked against their files.

Loading a spec reads its YAML with positions, meta-validates it and runs the sanity checks:
about 0.3 s, which is most of a one-file ``validate``. The entry is used only when every
file the spec was read from still has the same bytes and this package's code is the same
(size and modification time of its modules), so an edited spec or checkout is read afresh.
The entry keeps those bytes and that stamp themselves and compares them whole: exact, and a
hit needs no hashlib (whose OpenSSL import is a few percent of a one-file ``validate``).
Only a spec that loaded without error is stored: an error is never hidden by the cache.

The folder is ``$KUSTOMER_CONTRACT_CACHE_DIR``, else ``$XDG_CACHE_HOME/kustomer-contract``,
else ``~/.cache/kustomer-contract``; ``KUSTOMER_CONTRACT_CACHE_DIR=off`` turns it off. A
folder that cannot be written only costs the time: no run fails because of the cache.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

__all__ = ["cache_folder", "cached"]

T = TypeVar("T")
_PACKAGE = Path(__file__).resolve().parent.parent
_FORMAT = 2  # bump when the entry's layout changes


def cache_folder() -> Path | None:
    """Where entries go, or None when caching is off."""
    chosen = os.environ.get("KUSTOMER_CONTRACT_CACHE_DIR")
    if chosen:
        return None if chosen.lower() in ("off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kustomer-contract"


def _code_stamp() -> str:
    # Size and mtime of every module: a changed checkout (or version) is a different key.
    modules = "".join(
        f"{n} {size} {mtime}\n" for n, size, mtime in sorted(_modules(str(_PACKAGE), ""))
    )
    return f"{_FORMAT} {sys.version}\n{modules}"


def _modules(folder: str, prefix: str) -> Iterator[tuple[str, int, int]]:
    # os.scandir, not Path.rglob: this runs on every cached load, where it is a tenth.
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _modules(entry.path, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".py"):
                st = entry.stat()
                yield f"{prefix}{entry.name}", st.st_size, st.st_mtime_ns


def _content(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def cached(key: str, build: Callable[[], tuple[T, Iterable[Path]]]) -> T:
    """``build()``'s value for ``key``, from disk when its files are unchanged.

    ``build`` returns the value and the files it was made from; it runs (and its value is
    stored) when there is no usable entry. Its errors propagate and nothing is stored.
    """
    folder = cache_folder()
    if folder is None:
        return build()[0]
    stamp = _code_stamp()
    # Only a name: the entry holds its key and stamp whole, so a clash costs a rebuild.
    name = f"{zlib.crc32(key.encode()):08x}{zlib.crc32(stamp.encode()):08x}"
    entry = folder / f"{name}.pickle"
    found = _read(entry, key, stamp)
    if found is not None:
        return found
    value, sources = build()
    _write(folder, entry, (key, stamp), value, sorted({Path(p).resolve() for p in sources}))
    return value


def _read(entry: Path, key: str, stamp: str):
    try:
        with entry.open("rb") as f:
            kept_for, sources, payload = pickle.load(f)
        if kept_for == (key, stamp) and all(
            _content(Path(path)) == content for path, content in sources
        ):
            return pickle.loads(payload)
    except Exception:  # missing, truncated or from an older layout: build afresh
        pass
    return None


def _write(
    folder: Path, entry: Path, kept_for: tuple[str, str], value: object, sources: list[Path]
) -> None:
    try:
        contents = [(str(p), _content(p)) for p in sources]
        if any(c is None for _, c in contents):
            return  # a source vanished while loading: do not store what cannot be checked
        blob = pickle.dumps(
            (kept_for, contents, pickle.dumps(value)), protocol=pickle.HIGHEST_PROTOCOL
        )
        folder.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when storing: a hit need not load it

        fd, temp = tempfile.mkstemp(dir=folder, prefix=".entry-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(temp, entry)  # readers see the old entry or the whole new one
        except BaseException:
            os.unlink(temp)
            raise
    except Exception:  # read-only home, full disk, an unpicklable value: only time is lost
        pass
