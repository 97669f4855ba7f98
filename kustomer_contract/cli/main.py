"""``kustomer-contract``: parse, hand the arguments to the command's module, exit with its status.

Exit codes, as CI expects them: 0 all good, 1 the contract is broken, 2 usage or input error,
130 interrupted (``errors``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from importlib import import_module

from ..errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

__all__ = ["build_parser", "entry", "main", "version"]


# Each command by the module that registers its arguments and runs it, in the order --help
# lists them; "spec" and "explain" share a module.
COMMAND_MODULE = {
    "check": "check",
    "validate": "validate",
    "fixtures": "fixtures",
    "trace": "trace",
    "record": "record",
    "spec": "spec_commands",
    "explain": "spec_commands",
}


def version() -> str:
    """The installed distribution's version, or the package's own when not installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("kustomer-contract")
    except PackageNotFoundError:
        from .. import __version__

        return __version__


class _Version(argparse.Action):
    """``--version``: looked up only when asked (importlib.metadata is not free)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"kustomer-contract {version()}")
        parser.exit()


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or with ``command`` only that command's: each module imports what
    its command needs, and a one-file ``validate`` should not pay for ``check``'s imports."""
    parser = argparse.ArgumentParser(
        prog="kustomer-contract",
        description="Executable contract checks for Kustomer's Web SDK describeCustomer.",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = (
        dict.fromkeys(COMMAND_MODULE.values()) if command is None else [COMMAND_MODULE[command]]
    )
    for module in modules:  # each module once, in order
        import_module(f".{module}", __package__).register(sub)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names, if it is one (the first word that is no option)."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in COMMAND_MODULE else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_named(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return import_module(f".{COMMAND_MODULE[args.command]}", __package__).run(args)
    except BrokenPipeError:  # e.g. piped into head: not an error of ours
        sys.stderr.close()
        return EXIT_OK


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def entry() -> None:
    """The console script: ``main()``, then exit even if the implementation left a
    non-daemon thread running (it must not keep the process alive after the verdict).
    SIGTERM ends the run as Ctrl-C does, so the Node process group is ended on the way out."""
    signal.signal(signal.SIGTERM, _terminated)
    try:
        code = main()
    except KeyboardInterrupt:  # outside a check (validate, trace, fixtures...): no traceback
        print("kustomer-contract: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    # Without threading imported no thread was started through it (a one-file validate).
    threading = sys.modules.get("threading")
    lingering = threading and [
        t
        for t in threading.enumerate()
        if t.is_alive() and not t.daemon and t is not threading.main_thread()
    ]
    if lingering:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
