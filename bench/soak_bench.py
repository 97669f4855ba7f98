"""False-alarm soak over many seeds: how often are correct implementations reported broken?

    python bench/soak_bench.py [--seeds 200] [--max-examples 5] [--impl python|node|independent|all]
                               [--per-seed 3] [--base 0] [--show 5] [--only G]

Runs the schedule of tests/test_soak.py (seeds rotate over spec v1/v2, with and without the
4-name Klass, and over the guarantees) and prints the false-alarm count per implementation
and the first few failures with their replay_case lines. It asserts nothing; exit code 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_soak import GUARANTEES, IMPLS, PER_SEED, format_report, schedule, soak  # noqa: E402


class _Progress:
    """One status line on a terminal: seeds done and alarms so far."""

    def __init__(self, impl: str, total: int) -> None:
        self.impl, self.total, self.done, self.alarms = impl, total, 0, 0

    def __call__(self, unit: object, found: list) -> None:
        self.done, self.alarms = self.done + 1, self.alarms + len(found)
        sys.stderr.write(
            f"\r\x1b[K  {self.impl}: seed {self.done}/{self.total}, {self.alarms} alarms"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="soak_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--impl", choices=[*IMPLS, "all"], default="all")
    parser.add_argument("--per-seed", type=int, default=PER_SEED, help="guarantees per seed")
    parser.add_argument("--base", type=int, default=0, help="first seed")
    parser.add_argument("--only", action="append", default=[], help="this guarantee only")
    parser.add_argument("--show", type=int, default=5, help="failures printed in full")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # impl and Klass paths in the replay lines are relative to the root
    impls = list(IMPLS) if args.impl == "all" else [args.impl]
    shown = 0
    for impl in impls:
        units = schedule(impl, args.seeds, args.per_seed, args.base, tuple(args.only) or GUARANTEES)
        started, alarms = time.monotonic(), []
        tty = sys.stderr.isatty()
        progress = _Progress(impl, len(units)) if tty else None
        for report in soak(units, args.max_examples, on_unit=progress):
            alarms.append(report)
            if shown < args.show:
                shown += 1
                print(format_report(report), end="\n\n", flush=True)
        if tty:
            sys.stderr.write("\r\x1b[K")
        checks = sum(len(u.guarantees) for u in units)
        by = {}
        for r in alarms:
            by[r["guarantee"]] = by.get(r["guarantee"], 0) + 1
        print(
            f"{impl}: {len(alarms)} false alarm(s) in {checks} guarantee checks over "
            f"{len(units)} seeds ({args.max_examples} cases each) in "
            f"{time.monotonic() - started:.0f} s" + (f"; by guarantee: {by}" if by else ""),
            flush=True,
        )
        for r in alarms[args.show :]:  # the rest, one line each: enough to replay them
            print(f"  seed {r['seed']} {r['spec']} klass={r['klass']} {r['guarantee']}: "
                  f"{r.get('replay') or r['text']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
