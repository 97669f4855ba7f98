"""``kustomer-contract fixtures``: its arguments; the work is ``callers.fixtures``."""

from __future__ import annotations

import argparse
from typing import Any

from ..callers.fixtures import KINDS
from .params import add_spec_option


def register(subparsers: Any) -> None:
    from ..engine.settings import positive_int

    p = subparsers.add_parser(
        "fixtures",
        help="generate valid / labelled invalid payloads, responses or call sequences",
        description=(
            "Write generated fixtures as files in --out, or as JSON Lines to stdout (--out -). "
            "The folder must be new, empty or one fixtures wrote before (its files are listed "
            "in .kustomer-fixtures; the earlier set is replaced), unless --force."
        ),
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
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds other files too (same names are replaced)",
    )
    add_spec_option(p)
    p.add_argument(
        "--klass", metavar="FILE", help="Klass YAML: custom attribute names come from it"
    )


def run(args: argparse.Namespace) -> int:
    from ..callers import fixtures

    return fixtures.run(args)
