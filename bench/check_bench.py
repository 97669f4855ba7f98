"""What `check` costs over the generation it drives: prints figures, asserts nothing.

Two commands, timed alternately (medians of --rounds each, whole processes):

  floor   a plain hypothesis @given over the same strategies (sequences() focused on each
          guarantee, its explicit sweep first), the same seed and max_examples, doing nothing
          with the cases: what generating them costs.
  check   `kustomer-contract check --seed S` on the bundled reference, as a user runs it
          (its workers, one per CPU, check guarantees side by side).
  check -j1  the same in one process (`--jobs 1`): the harness's own cost over generation.

It prints check / floor (the goal is at most 1.15x) and check -j1 / floor. The floor is one
process: on a 2-core machine the first ratio counts both cores against one, the second
says what the harness costs on top of the generation it drives.
With --baseline DIR (a checkout of another commit) it also times that checkout's floor and
prints the speed-up of this floor over it, in cases per second. A checkout from before the
package's folders (5d392d4, where the goal was set) is read through its old module names.

    python bench/check_bench.py --rounds 3 --baseline /path/to/old/checkout
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter: the floor of one checkout (on PYTHONPATH), printing its cases.
FLOOR = """
import sys, json
from hypothesis import HealthCheck, Phase, example, given, settings, seed as with_seed
try:
    from kustomer_contract.spec.loader import load_spec
    from kustomer_contract.generate.strategies import SWEEPS, sequences
except ImportError:  # a checkout from before the folders by role
    from kustomer_contract.spec import load_spec
    from kustomer_contract.strategies import SWEEPS, sequences
spec = load_spec(sys.argv[1])
count = 0
for guarantee in spec.guarantees:
    @settings(max_examples=int(sys.argv[2]), deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @with_seed(int(sys.argv[3]))
    @given(sequences(spec, None, focus=guarantee))
    def draw(case):
        global count
        count += 1
    for case in SWEEPS[guarantee](spec, None, None) if guarantee in SWEEPS else ():
        draw = example(case)(draw)
    draw()
import kustomer_contract
print(json.dumps({"cases": count, "package": kustomer_contract.__file__}))
"""


def timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command[:3])} failed ({done.returncode}): {done.stderr[-500:]}")
    return seconds, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-examples", type=int, default=100)
    parser.add_argument("--spec", default="v1")
    parser.add_argument("--baseline", type=Path, help="a checkout of another commit")
    args = parser.parse_args()

    def env_for(checkout: Path) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(checkout)}

    here = env_for(ROOT)
    # -P: the working directory is not put on sys.path, so PYTHONPATH alone picks the checkout.
    floor = [sys.executable, "-P", "-c", FLOOR, args.spec, str(args.max_examples), str(args.seed)]
    check = [sys.executable, "-m", "kustomer_contract.cli", "check", "--seed", str(args.seed)]
    check += ["--max-examples", str(args.max_examples), "--spec", args.spec, "--json"]
    alone = [*check, "--jobs", "1"]
    runs: dict[str, list[float]] = {"floor": [], "check": [], "check -j1": [], "baseline floor": []}
    cases: dict[str, int] = {}
    packages: dict[str, str] = {}
    for n in range(args.rounds):
        seconds, out = timed(floor, here)
        runs["floor"].append(seconds)
        cases["floor"] = json.loads(out)["cases"]
        packages["floor"] = json.loads(out)["package"]
        seconds, out = timed(check, here)
        runs["check"].append(seconds)
        cases["check"] = sum(r["cases"] for r in json.loads(out)["results"])
        seconds, out = timed(alone, here)
        runs["check -j1"].append(seconds)
        cases["check -j1"] = sum(r["cases"] for r in json.loads(out)["results"])
        if args.baseline:
            seconds, out = timed(floor, env_for(args.baseline.resolve()))
            runs["baseline floor"].append(seconds)
            cases["baseline floor"] = json.loads(out)["cases"]
            packages["baseline floor"] = json.loads(out)["package"]
        print(f"round {n + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in runs.items() if v))
    median = {k: statistics.median(v) for k, v in runs.items() if v}
    for name, seconds in median.items():
        where = f" ({packages[name]})" if name in packages else ""
        print(f"{name:>15}: {seconds:6.1f} s median, {cases[name]} cases{where}")
    print(f"check / floor: {median['check'] / median['floor']:.2f}x (goal: at most 1.15x)")
    print(f"check -j1 / floor: {median['check -j1'] / median['floor']:.2f}x (one process each)")
    if args.baseline:
        now = cases["floor"] / median["floor"]
        then = cases["baseline floor"] / median["baseline floor"]
        print(f"floor speed-up over the baseline: {now / then:.2f}x in cases/s (goal: 2x)")


if __name__ == "__main__":
    main()
