"""What pytest-xdist gains on the plugin's default run: prints figures, asserts nothing.

`pytest --kustomer-impl kustomer_contract.reference:make` in an empty folder (13 contract
items, the default 100 cases each), with `-n 0` and with `-n 2`, alternately, --rounds
times; the medians and the speed-up of -n 2 over -n 0 (whole processes).

    python bench/xdist_bench.py --rounds 3
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--kustomer-seed", "1"]
    base += ["--kustomer-impl", "kustomer_contract.reference:make"]
    times: dict[str, list[float]] = {"-n 0": [], f"-n {args.workers}": []}
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.rounds):
            for label in times:
                started = time.perf_counter()
                done = subprocess.run(
                    [*base, *label.split()], cwd=folder, capture_output=True, text=True
                )
                times[label].append(time.perf_counter() - started)
                last = done.stdout.strip().splitlines()[-1:] or ["?"]
                print(f"round {n + 1} {label}: {times[label][-1]:.1f} s ({last[0]})")
    serial, parallel = (statistics.median(v) for v in times.values())
    print(f"-n 0: {serial:.1f} s, -n {args.workers}: {parallel:.1f} s (medians)")
    print(f"speed-up of -n {args.workers} over -n 0: {serial / parallel:.2f}x")


if __name__ == "__main__":
    main()
