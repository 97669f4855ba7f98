"""``kustomer-contract fixtures``: deterministic payloads and call sequences for other tests.

The same seed gives the same files, byte for byte (for a given hypothesis version): cases
come from hypothesis's generation phase only, seeded, with no example database.

Into a folder (``--out DIR``) every file is written whole (a temporary file, then a rename;
see safe_write), and the names written are listed in ``.kustomer-fixtures``. A folder holding
anything else is refused unless ``--force``; rewriting a set removes the files of the earlier
set that the new one lacks, so ``labels.json`` always describes what is there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .._core.safe_write import silence_stdout, write_text
from ..errors import print_error
from ..generate.reproducible import independent_of_loaded_modules

KINDS = ("valid", "invalid", "response", "sequence")


def generate(spec: Any, kind: str, count: int, seed: int, klass: Any = None) -> Iterator[Any]:
    """Up to ``count`` distinct cases of ``kind``, in a fixed order for a fixed seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from ..generate import strategies

    strategy = {
        "valid": lambda: strategies.valid_options(spec, klass),
        "invalid": lambda: strategies.invalid_options(spec, klass),
        "response": lambda: strategies.responses(spec),
        "sequence": lambda: strategies.sequences(spec, klass),
    }[kind]()
    found: list[Any] = []
    seen: set[str] = set()

    @settings(
        max_examples=count * 3,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(strategy)
    def collect(case: Any) -> None:
        key = json.dumps(_as_json(case), sort_keys=True, ensure_ascii=False)
        if key not in seen and len(found) < count:
            seen.add(key)
            found.append(case)

    with independent_of_loaded_modules():
        collect()
    yield from found


def _as_json(case: Any) -> Any:
    if hasattr(case, "to_json"):
        return case.to_json()
    if hasattr(case, "label") and hasattr(case, "value"):
        return {"payload": case.value, "label": case.label()}
    return case


def run(args: argparse.Namespace) -> int:
    from ..report.reproducers import javascript
    from ..spec.loader import load_klass, load_spec
    from ..spec.types import SpecError

    try:
        spec = load_spec(args.spec)
        klass = load_klass(args.klass, spec) if args.klass else None
        cases = list(generate(spec, args.kind, args.count, args.seed, klass))
    except SpecError as exc:
        return _error(str(exc))
    if args.out == "-":
        return _to_stdout(cases)
    out = Path(args.out)
    try:
        old = _prepare(out, args.force)  # refuses before anything is generated or written
    except _Refused as exc:
        return _error(str(exc))
    width = max(4, len(str(len(cases))))
    files: dict[str, str] = {}
    labels: dict[str, Any] = {}
    for n, case in enumerate(cases, 1):
        name = f"{args.kind}-{n:0{width}d}"
        data = _as_json(case)
        if args.kind == "invalid":  # the payload alone, so `validate` reads it as a user's file
            labels[f"{name}.json"] = data["label"]
            data = data["payload"]
        files[f"{name}.json"] = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if args.kind == "sequence":
            files[f"{name}.js"] = (
                f"// kustomer-contract fixture {name}, seed {args.seed}\n"
                + javascript(spec, case)
                + "\n"
            )
    if labels:
        files[LABELS] = json.dumps(labels, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        _write_set(out, files, old)
    except _Refused as exc:
        return _error(str(exc))
    print(f"wrote {len(cases)} {args.kind} fixture(s) to {out}", file=sys.stderr)
    return 0


def _error(message: str) -> int:
    return print_error(message)


def _to_stdout(cases: list[Any]) -> int:
    try:
        for case in cases:
            sys.stdout.write(json.dumps(_as_json(case), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head: the reader has what it wanted
        silence_stdout()
        return 0
    except OSError as exc:  # e.g. /dev/full
        silence_stdout()
        return _error(f"standard output: cannot write the fixtures: {exc.strerror or exc}")
    return 0


# ---------------------------------------------------------------------------
# The folder: what fixtures wrote there is listed in MANIFEST; nothing else is touched

MANIFEST = ".kustomer-fixtures"
LABELS = "labels.json"


class _Refused(Exception):
    """The folder cannot be written as asked (one line for the user; exit 2)."""


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _prepare(out: Path, force: bool) -> set[str]:
    """Make sure ``out`` can take a set of fixtures; the names of the set already there."""
    if out.exists() and not out.is_dir():
        raise _Refused(f"--out {out}: is not a folder; give a folder (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        present = set(os.listdir(out))
    except OSError as exc:
        raise _Refused(f"--out {out}: cannot create or read the folder: {_why(exc)}") from None
    old = _read_manifest(out) if MANIFEST in present else set()
    foreign = sorted(present - old - {MANIFEST})
    if foreign and not force:
        first = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise _Refused(
            f"--out {out}: holds {len(foreign)} file(s) that fixtures did not write ({first}); "
            "give an empty or new folder, or --force to write beside them"
        )
    return old


def _read_manifest(out: Path) -> set[str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        names = data["files"]
    except (OSError, ValueError, TypeError, KeyError):
        return set()  # an unreadable manifest vouches for nothing: all is foreign
    if not isinstance(names, list):
        return set()
    return {n for n in names if isinstance(n, str) and _plain_name(n)}


def _plain_name(name: str) -> bool:
    # A manifest entry names a file of this folder, nothing elsewhere.
    return name not in ("", ".", "..", MANIFEST) and "/" not in name and "\\" not in name


def _write_manifest(out: Path, names: set[str]) -> None:
    text = json.dumps(
        {"written-by": "kustomer-contract fixtures", "files": sorted(names)}, indent=2
    )
    write_text(out / MANIFEST, text + "\n")


def _write_set(out: Path, files: dict[str, str], old: set[str]) -> None:
    """Write ``files`` into ``out`` and remove the rest of the ``old`` set."""
    for name in files:  # a folder in the way: say so before anything is written
        if (out / name).is_dir() and not (out / name).is_symlink():
            raise _Refused(
                f"{out / name}: a folder is in the way of a fixture file; "
                "remove it or give another --out"
            )
    new = set(files)
    where = out / MANIFEST
    try:
        # Claim old and new first: a run stopped halfway leaves no file unaccounted for.
        _write_manifest(out, old | new)
        show = sys.stderr.isatty()
        for n, (name, text) in enumerate(sorted(files.items()), 1):
            where = out / name
            write_text(where, text)
            if show and (n % 50 == 0 or n == len(files)):
                bar = "#" * (30 * n // len(files))
                sys.stderr.write(f"\r  [{bar:<30}] {n}/{len(files)} files")
        if show:
            sys.stderr.write("\n")
        where = out / MANIFEST
        _write_manifest(out, new)
    except OSError as exc:
        raise _Refused(
            f"{where}: cannot write: {_why(exc)}; the files written so far are listed "
            f"in {out / MANIFEST}"
        ) from None
    for name in sorted(old - new):  # the earlier set's files this one does not have
        path = out / name
        try:
            if not path.is_dir() or path.is_symlink():
                path.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            print(
                f"kustomer-contract: warning: {path}: cannot remove this stale fixture: "
                f"{_why(exc)}",
                file=sys.stderr,
            )
