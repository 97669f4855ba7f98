"""``kustomer-contract validate``: its arguments; the work is ``callers.validate``."""

from __future__ import annotations

import argparse
from typing import Any

from ..callers.validate import FORMATS
from ..engine.settings import positive_int
from .params import add_spec_option

_EPILOG = """\
exit codes:
  0  every payload is valid
  1  at least one payload is invalid
  2  usage error, a bad --spec or --klass, or a file that could not be read or parsed
     (2 wins over 1: unreadable input was not shown to be valid)

examples:
  kustomer-contract validate fixtures/
  kustomer-contract validate --glob '*.payload.json' --klass klass.yaml src/
  kustomer-contract validate --as response recorded/responses.jsonl
  node build-payload.js | kustomer-contract validate -
  kustomer-contract validate --format junit --output validate.xml fixtures/
"""


def register(subparsers: Any) -> None:
    """Add the ``validate`` subcommand to an ``add_subparsers()`` object."""
    parser = subparsers.add_parser(
        "validate",
        help="validate payload files (JSON, JSON Lines, YAML) against the spec",
        description=(
            "Validate describeCustomer payloads against the spec: each problem is printed "
            "as file:line:col: pointer: message, with what to do."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="payload file, directory (searched recursively) or - for standard input",
    )
    parser.add_argument(
        "--as",
        dest="part",
        choices=("options", "response"),
        default="options",
        help="what the payloads are: the options passed to describeCustomer (default) "
        "or the response its callback receives",
    )
    add_spec_option(parser)
    parser.add_argument(
        "--klass",
        metavar="FILE",
        help="Klass YAML (attributes: [favoriteColorStr, ...]); custom attributes not on "
        "it are invalid",
    )
    parser.add_argument(
        "--glob",
        metavar="PATTERN",
        help="in directories, take only files whose name or relative path matches, e.g. "
        "'*.payload.json' (default: *.json, *.jsonl, *.ndjson, *.yaml, *.yml)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), json, github (workflow annotations) or junit (XML report)",
    )
    parser.add_argument(
        "--jobs",
        type=positive_int,
        metavar="N",
        help="processes that judge the lines of a large JSON Lines file (8 MB or more) when "
        "nothing is shown of valid payloads (default: one per CPU, at most 4; 1: this "
        "process only); the report is the same, in the same order",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE instead of standard output (e.g. for junit); FILE is "
        "replaced once the report is whole, and may not be an input or inside an input folder",
    )


def run(args: argparse.Namespace) -> int:
    from ..callers import validate

    return validate.run(args)
