"""What checking in a browser costs: prints figures, asserts nothing.

Runs ``kustomer-contract check`` three times with the same seed and case count, one after
the other, and reports each wall time as a ratio against the first (measured in the same
run, since this machine is shared):

1. the bundled Python reference (the reference);
2. ``--browser`` on a page that exposes ``window.createKustomer`` (a fresh SDK per case, same
   page);
3. ``--browser`` on a page with only ``window.Kustomer`` (the page is loaded again per case).

Needs the [browser] extra and a Chromium.

    python bench/browser_bench.py [--max-examples N] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "browser_pages"
RUNS = (
    ("Python reference (kustomer_contract.reference:make)", []),
    ("page with window.createKustomer", ["--browser", str(PAGES / "reference_factory.html")]),
    ("page with window.Kustomer only", ["--browser", str(PAGES / "reference.html")]),
)


def timed_check(args: list[str]) -> tuple[float, str]:
    """Wall seconds of one ``check`` and its last line (the verdict)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kustomer_contract.cli", "check", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    verdict = lines[-1] if lines else done.stderr.strip().splitlines()[-1:]
    if done.returncode != 0:
        raise SystemExit(f"check {' '.join(args)} exited {done.returncode}: {verdict}")
    return seconds, str(verdict)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=100, help="cases per guarantee")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    common = ["--max-examples", str(args.max_examples), "--seed", str(args.seed)]
    load = os.getloadavg()[0]
    print(f"browser_bench: {args.max_examples} cases per guarantee, seed {args.seed}")
    reference = None
    for label, extra in RUNS:
        seconds, verdict = timed_check(extra + common)
        reference = reference or seconds
        print(f"  {label:<52} {seconds:7.1f} s  {seconds / reference:4.1f}x   {verdict}")
    print(f"  load average {load:.2f} before, {os.getloadavg()[0]:.2f} after (2 CPUs; wall clock)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
