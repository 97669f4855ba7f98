"""``kustomer-contract record``: its arguments; the work is ``callers.record``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..engine.settings import non_negative_float, positive_float

_EPILOG = """\
a flow (--script) is a Python file such as:
  def flow(page):                      # a playwright.sync_api.Page, already loaded
      page.get_by_role("button", name="Sign in").click()
      page.wait_for_selector("[data-state=done]")

then check the trace:
  kustomer-contract trace FILE.jsonl               (--binding core for a core.js page)

exit codes:
  0  the trace was written (page errors and a navigation away are warnings)
  2  usage or input error, no Playwright or Chromium, the flow failed, the page did not
     load, or the page or the browser crashed (the records captured so far are kept)
"""


def register(subparsers: Any) -> None:
    """Add the ``record`` subcommand to an ``add_subparsers()`` object."""
    parser = subparsers.add_parser(
        "record",
        help="record a page's Kustomer SDK calls in Chromium as a trace (JSON Lines)",
        description=(
            "Open PAGE in headless Chromium with kustomer-recorder.js installed before the\n"
            "page's own scripts, run a Playwright flow on it if given, and write every call\n"
            "on window.Kustomer and window.KustomerCore (and each callback) to FILE.jsonl as\n"
            "it happens."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "page",
        metavar="PAGE",
        help="an HTML file (its folder is served on 127.0.0.1) or a loopback http(s) URL",
    )
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        metavar="FILE.jsonl",
        help="where to write the trace (replaced once the recording is done; a failed "
        "recording keeps an earlier trace and puts its records beside it; parent folders "
        "are created)",
    )
    parser.add_argument(
        "--script",
        type=Path,
        metavar="FLOW.py",
        help="a Python file defining flow(page), run with the loaded Playwright page",
    )
    parser.add_argument(
        "--settle",
        type=non_negative_float,
        default=1.0,
        metavar="S",
        help="seconds to wait after the load and the flow for timers and callbacks (default 1)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="S",
        help="seconds for the page to load and for each action of the flow (default 30)",
    )


def run(args: argparse.Namespace) -> int:
    from ..callers import record

    return record.run(args)
