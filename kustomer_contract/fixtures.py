"""``kustomer-contract fixtures``: deterministic payloads and call sequences for other tests.

The same seed gives the same files, byte for byte (for a given hypothesis version): cases
come from hypothesis's generation phase only, seeded, with no example database.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .cli import add_spec_option

KINDS = ("valid", "invalid", "response", "sequence")


def register(subparsers: Any) -> None:
    from .cli import positive_int

    p = subparsers.add_parser(
        "fixtures",
        help="generate valid / labelled invalid payloads, responses or call sequences",
        description="Write generated fixtures as files in --out, or as JSON Lines to stdout (--out -).",
    )
    p.add_argument(
        "--kind", choices=KINDS, default="valid", help="what to generate (default valid)"
    )
    p.add_argument(
        "--count", type=positive_int, default=100, metavar="N", help="how many (default 100)"
    )
    p.add_argument("--seed", type=int, default=0, metavar="S", help="generation seed (default 0)")
    p.add_argument(
        "--out", default="-", metavar="DIR|-", help="output folder, or - for JSON Lines on stdout"
    )
    add_spec_option(p)
    p.add_argument(
        "--klass", metavar="FILE", help="Klass YAML: custom attribute names come from it"
    )


def generate(spec: Any, kind: str, count: int, seed: int, klass: Any = None) -> Iterator[Any]:
    """Up to ``count`` distinct cases of ``kind``, in a fixed order for a fixed seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from . import strategies

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

    collect()
    yield from found


def _as_json(case: Any) -> Any:
    if hasattr(case, "to_json"):
        return case.to_json()
    if hasattr(case, "label") and hasattr(case, "value"):
        return {"payload": case.value, "label": case.label()}
    return case


def run(args: argparse.Namespace) -> int:
    from .report import javascript
    from .spec import SpecError, load_klass, load_spec

    try:
        spec = load_spec(args.spec)
        klass = load_klass(args.klass) if args.klass else None
        cases = list(generate(spec, args.kind, args.count, args.seed, klass))
    except SpecError as exc:
        print(f"kustomer-contract: error: {exc}", file=sys.stderr)
        return 2
    if args.out == "-":
        for case in cases:
            sys.stdout.write(json.dumps(_as_json(case), ensure_ascii=False) + "\n")
        return 0
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"kustomer-contract: error: cannot create {out}: {exc}", file=sys.stderr)
        return 2
    width = max(4, len(str(len(cases))))
    labels: dict[str, Any] = {}
    show = sys.stderr.isatty()
    for n, case in enumerate(cases, 1):
        name = f"{args.kind}-{n:0{width}d}"
        data = _as_json(case)
        if args.kind == "invalid":  # the payload alone, so `validate` reads it as a user's file
            labels[f"{name}.json"] = data["label"]
            data = data["payload"]
        _write(out / f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        if args.kind == "sequence":
            _write(
                out / f"{name}.js",
                f"// kustomer-contract fixture {name}, seed {args.seed}\n"
                + javascript(spec, case)
                + "\n",
            )
        if show and (n % 50 == 0 or n == len(cases)):
            bar = "#" * (30 * n // len(cases))
            sys.stderr.write(f"\r  [{bar:<30}] {n}/{len(cases)} {args.kind} fixtures")
    if show:
        sys.stderr.write("\n")
    if labels:
        _write(
            out / "labels.json",
            json.dumps(labels, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        )
    print(f"wrote {len(cases)} {args.kind} fixture(s) to {out}", file=sys.stderr)
    return 0


def _write(path: Path, text: str) -> None:
    # Write then rename: an interrupted run never leaves half a fixture behind.
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
