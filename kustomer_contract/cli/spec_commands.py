"""CLI glue for ``spec diff | lint | export`` and ``explain``.

``register(subparsers)`` adds the ``spec`` and ``explain`` subcommands to an
``add_subparsers()`` object; ``run(args)`` runs whichever was parsed and returns the exit code:
0 all good, 1 a breaking change (diff) or a problem (lint), 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from .params import add_spec_option

__all__ = ["export_schema", "register", "run"]

from ..errors import EXIT_FAILED as EXIT_FOUND
from ..errors import EXIT_OK, EXIT_USAGE

_TOOL = "kustomer-contract"
JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def register(subparsers: Any) -> None:
    """Add ``spec`` (diff, lint, export) and ``explain`` to an ``add_subparsers()`` object."""
    spec = subparsers.add_parser(
        "spec",
        help="compare, lint or export contract specs",
        description="Work with the contract specs themselves: diff two versions, lint one, "
        "export its JSON Schemas.",
    )
    sub = spec.add_subparsers(dest="spec_command", metavar="SUBCOMMAND")

    d = sub.add_parser(
        "diff",
        help="every change between two specs, breaking or not for callers and implementers",
        description="Compare two specs (v1, v2 or a path). Exit 1 when a change is breaking "
        "for callers or for implementers, 0 otherwise, 2 on a bad spec.",
    )
    d.add_argument("old", metavar="OLD", help="v1, v2 or the path of a spec")
    d.add_argument("new", metavar="NEW", help="v1, v2 or the path of a spec")
    d.add_argument("--json", action="store_true", help="print the changes as JSON")
    d.add_argument(
        "--breaking-only", action="store_true", help="show only breaking changes (text output)"
    )

    lint = sub.add_parser(
        "lint",
        help="check user-written specs against the meta-schema and for sense",
        description="Report every problem as file:line: key: message. Exit 0 clean, "
        "1 problems found, 2 a spec that could not be read.",
    )
    lint.add_argument("paths", nargs="+", metavar="PATH", help="a contract.yaml or its folder")
    lint.add_argument("--json", action="store_true", help="print the problems as JSON")

    export = sub.add_parser(
        "export",
        help="a method's options or response schema as standalone JSON Schema",
        description="Print a JSON Schema (Draft 2020-12) for editors, other validators and "
        "type generators. x-* keywords are dropped unless --keep-extensions.",
    )
    export.add_argument(
        "--schema", choices=("options", "response"), required=True, help="which payload"
    )
    add_spec_option(export)
    export.add_argument("--method", metavar="NAME", help="the method (default: the spec's target)")
    export.add_argument(
        "--keep-extensions", action="store_true", help="keep x-* keywords (x-hints, x-generate)"
    )

    explain = subparsers.add_parser(
        "explain",
        help="what a guarantee, caller obligation or validation error code means",
        description="Explain a guarantee id (e.g. reflects-input), a caller obligation "
        "(e.g. start-first) or a validation error code (e.g. pattern), with examples. "
        "Without ID, list the known ids.",
    )
    explain.add_argument("id", nargs="?", metavar="ID", help="the id to explain")


def run(args: argparse.Namespace) -> int:
    from ..spec.types import SpecError

    try:
        if args.command == "explain":
            return _explain(args)
        which = getattr(args, "spec_command", None)
        if which == "diff":
            return _diff(args)
        if which == "lint":
            return _lint(args)
        if which == "export":
            return _export(args)
        print(f"{_TOOL}: error: spec needs a subcommand: diff, lint or export", file=sys.stderr)
        return EXIT_USAGE
    except SpecError as exc:
        print(f"{_TOOL}: error: {_rel(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        sys.stderr.close()
        return EXIT_OK


def _rel(exc: Any) -> str:
    """A SpecError's text with the file relative to the working directory when inside it."""
    file = exc.file
    try:
        rel = os.path.relpath(file)
        if not rel.startswith(".."):
            file = rel
    except ValueError:
        pass
    where = f"{file}:{exc.line}" if exc.line else file
    return f"{where}: {exc.key or '(top level)'}: {exc.message}"


# --- diff ----------------------------------------------------------------------------------


def _diff(args: argparse.Namespace) -> int:
    from ..spec.diff import diff_specs, format_text, to_json
    from ..spec.loader import load_spec

    old, new = load_spec(args.old), load_spec(args.new)
    changes = diff_specs(old, new)
    if args.json:
        print(json.dumps(to_json(old, new, changes), indent=2, ensure_ascii=False))
    else:
        for line in format_text(changes, breaking_only=args.breaking_only):
            print(line)
    return EXIT_FOUND if any(c.breaking for c in changes) else EXIT_OK


# --- lint ----------------------------------------------------------------------------------


def _lint(args: argparse.Namespace) -> int:
    from ..generate.strategies import generation_problems
    from ..spec.lint import lint

    results = [lint(p, also=[generation_problems]) for p in args.paths]
    if args.json:
        out = [
            {
                "spec": r.path,
                "ok": r.ok,
                "unreadable": r.unreadable,
                "problems": [
                    {"file": p.file, "line": p.line, "key": p.key, "message": p.message}
                    for p in r.problems
                ],
                "warnings": [
                    {"file": p.file, "line": p.line, "key": p.key, "message": p.message}
                    for p in r.warnings
                ],
            }
            for r in results
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        for r in results:
            for p in sorted(r.problems + r.warnings, key=lambda p: (p.file, p.line, p.key)):
                print(_rel(p))
        bad = sum(not r.ok for r in results)
        total = sum(len(r.problems) for r in results)
        if bad:
            print(f"{total} problem(s) in {bad} of {len(results)} spec(s)", file=sys.stderr)
        else:
            print(f"{len(results)} spec(s) clean", file=sys.stderr)
    if any(r.unreadable for r in results):
        return EXIT_USAGE
    return EXIT_FOUND if any(r.problems for r in results) else EXIT_OK


# --- export --------------------------------------------------------------------------------

_VALUE_KEYWORDS = {"examples", "enum", "const", "default", "required"}
_SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "dependentSchemas"}


def _strip(schema: Any, keep: bool) -> Any:
    if isinstance(schema, list):
        return [_strip(s, keep) for s in schema]
    if not isinstance(schema, Mapping):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key.startswith("x-") and not keep:
            continue
        if key in _VALUE_KEYWORDS:
            out[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, Mapping):
            out[key] = {name: _strip(sub, keep) for name, sub in value.items()}
        else:
            out[key] = _strip(value, keep)
    return out


def export_schema(
    spec: Any, part: str = "options", method: str | None = None, keep_extensions: bool = False
) -> dict[str, Any]:
    """A standalone Draft 2020-12 JSON Schema of a method's options or response."""
    from ..spec.types import SpecError

    name = method or spec.target.name
    if name not in spec.methods:
        raise SpecError(
            spec.path,
            0,
            "--method",
            f"{name!r} is not a method of the spec ({', '.join(spec.methods)})",
        )
    m = spec.methods[name]
    schema = m.options_schema if part == "options" else m.response_schema
    if schema is None:
        raise SpecError(spec.path, 0, f"/methods/{name}", f"{name} has no {part} schema")
    if isinstance(schema, bool):
        schema = {} if schema else {"not": {}}
    body = _strip(schema, keep_extensions)
    head = {
        "$schema": JSON_SCHEMA_2020_12,
        "title": body.get("title", f"{spec.title}: {name} {part}"),
    }
    return {**head, **{k: v for k, v in body.items() if k not in head}}


def _export(args: argparse.Namespace) -> int:
    from ..spec.loader import load_spec

    spec = load_spec(args.spec)
    schema = export_schema(spec, args.schema, args.method, args.keep_extensions)
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_OK


# --- explain -------------------------------------------------------------------------------


def _explain(args: argparse.Namespace) -> int:
    from ..spec.explain import explain, format_entry, format_known

    if not args.id:
        print(format_known())
        return EXIT_OK
    entry = explain(args.id)
    if entry is None:
        print(f"{_TOOL}: error: unknown id {args.id!r}; the known ids are:", file=sys.stderr)
        print(format_known(), file=sys.stderr)
        return EXIT_USAGE
    print(format_entry(entry))
    return EXIT_OK
