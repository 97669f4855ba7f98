"""``kustomer-contract trace``: its arguments; the work is ``callers.trace``."""

from __future__ import annotations

import argparse
from typing import Any

from .params import add_spec_option

_EPILOG = """\
obligations (ids as printed):
  one per rule of the spec (v1: start-first, describe-after-login), with the binding's names
                    (--binding core: start is KustomerCore.init),
  valid-options     each call's options match that method's options schema
  klass-attributes  custom attributes are on the Klass (--klass), or at least have a name a
                    Klass can hold (a type suffix such as Str, Num, Bool, At)
  known-method      only methods the SDK has are called (the spec's sdk_methods), e.g.
                    Kustomer.addEventListener: did you mean addListener?

exit codes:
  0  the caller kept every obligation
  1  at least one obligation was broken
  2  usage error, a bad --spec or --klass, or a trace that could not be read, is empty or has
     malformed records (those are reported and skipped; broken obligations still give 1)

record a trace with kustomer_contract/callers/recorder/kustomer-recorder.js, e.g.
  <script src="kustomer-recorder.js"></script>
  <script>KustomerRecorder.install()</script>      (before the Kustomer or core.js loader;
                                                    records Kustomer and KustomerCore)
  ... then in the console: copy(KustomerRecorder.dump())  and save it as trace.jsonl
"""


def register(subparsers: Any) -> None:
    """Add the ``trace`` subcommand to an ``add_subparsers()`` object."""
    parser = subparsers.add_parser(
        "trace",
        help="check a recorded call trace (JSON Lines) for the caller's obligations",
        description=(
            "Check what a page did with the Kustomer SDK, recorded by kustomer-recorder.js: "
            "each broken obligation is printed as FILE:LINE: obligation: what happened; "
            "what to do instead."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="+", metavar="FILE.jsonl", help="recorded trace, or - for standard input"
    )
    add_spec_option(parser)
    parser.add_argument(
        "--binding",
        default="web",
        metavar="web|core|promise|PATH",
        help="the calling convention the page uses, whose names the trace is judged by: web "
        "(Kustomer.start, callbacks; the default), core (KustomerCore.init), promise (awaited "
        "calls) or a binding file",
    )
    parser.add_argument(
        "--klass",
        metavar="FILE",
        help="Klass YAML (attributes: [favoriteColorStr, ...]); custom attributes not on it "
        "break klass-attributes",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args: argparse.Namespace) -> int:
    from ..callers import trace

    return trace.run(args)
