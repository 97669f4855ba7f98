"""Options several commands share, declared once."""

from __future__ import annotations

import argparse

from ..engine.settings import BINDING_HELP, DEFAULT_SPEC


def add_spec_option(parser: argparse.ArgumentParser) -> None:
    """``--spec``, the same for every command that reads a spec."""
    parser.add_argument(
        "--spec",
        default=DEFAULT_SPEC,
        metavar="v1|v2|PATH",
        help=f"bundled spec version (v1, v2) or the path of a spec (default {DEFAULT_SPEC})",
    )


def add_binding_option(parser: argparse.ArgumentParser) -> None:
    """``--binding`` for check (trace has its own: the names its trace is judged by)."""
    parser.add_argument("--binding", metavar="web|core|promise|PATH", help=BINDING_HELP)
