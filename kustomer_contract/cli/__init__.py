"""``kustomer-contract``: the command line. ``main`` parses and dispatches; each command's
module registers its arguments and runs them (``check``, ``spec_commands``; the caller's
commands in ``callers``); ``params`` holds the options they share."""

from .main import build_parser, entry, main

__all__ = ["build_parser", "entry", "main"]
