"""Start-up cost of the pytest plugin: prints figures, asserts nothing.

(a) ``python -X importtime -c "import kustomer_contract.pytest_plugin"``: the cumulative import
    time of the plugin module itself (median of 5 fresh interpreters).
(b) ``pytest --collect-only -q`` on one trivial test, with the plugin (auto-loaded through its
    entry point) against the reference: the same run with ``-p no:kustomer_contract``.
    15 alternating rounds each, median wall time, and the slowdown ratio.

Targets: plugin import under 20 ms, slowdown under 5 %.

    python bench/startup_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODULE = "kustomer_contract.pytest_plugin"
IMPORT_TARGET_MS = 20.0
SLOWDOWN_TARGET = 0.05


def plugin_import_us(after_pytest: bool = False) -> int:
    """Cumulative microseconds for the plugin module in one fresh interpreter; with
    ``after_pytest`` pytest is imported first, as it always is when pytest loads the plugin."""
    code = ("import pytest; " if after_pytest else "") + f"import {MODULE}"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stderr.splitlines():
        # "import time: self [us] | cumulative | imported package"
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2].strip() == MODULE:
            return int(parts[1])
    raise RuntimeError(f"{MODULE} not in -X importtime output:\n{done.stderr[-2000:]}")


def collect_seconds(folder: Path, enabled: bool) -> float:
    argv = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    if not enabled:
        argv += ["-p", "no:kustomer_contract"]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "1 test collected" not in done.stdout:
        raise RuntimeError(f"collect run failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    alone = statistics.median(plugin_import_us() for _ in range(5)) / 1000
    print(
        f"(a) import {MODULE} in a bare interpreter: median {alone:.1f} ms cumulative "
        "(this includes importing pytest itself)"
    )
    imports = [plugin_import_us(after_pytest=True) for _ in range(5)]
    import_ms = statistics.median(imports) / 1000
    print(
        f"    the plugin's own cost, pytest already imported: median {import_ms:.1f} ms cumulative "
        f"(runs: {', '.join(f'{u / 1000:.1f}' for u in imports)} ms); "
        f"target < {IMPORT_TARGET_MS:g} ms: {'met' if import_ms < IMPORT_TARGET_MS else 'MISSED'}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "test_trivial.py").write_text("def test_trivial():\n    pass\n")
        (folder / "pytest.ini").write_text("[pytest]\n")  # this folder is the rootdir
        collect_seconds(folder, True)  # warm the file cache once, uncounted
        collect_seconds(folder, False)
        with_plugin, without = [], []
        for i in range(args.rounds):
            order = (True, False) if i % 2 == 0 else (False, True)  # alternate who goes first
            for enabled in order:
                (with_plugin if enabled else without).append(collect_seconds(folder, enabled))
    on, off = statistics.median(with_plugin), statistics.median(without)
    ratio = on / off - 1
    print(f"(b) pytest --collect-only -q, one trivial test, {args.rounds} alternating rounds:")
    print(
        f"    reference, pytest without the plugin (-p no:kustomer_contract): "
        f"median {off * 1000:.0f} ms (min {min(without) * 1000:.0f}, max {max(without) * 1000:.0f})"
    )
    print(
        f"    with the plugin (not configured):                               "
        f"median {on * 1000:.0f} ms (min {min(with_plugin) * 1000:.0f}, max {max(with_plugin) * 1000:.0f})"
    )
    print(
        f"    slowdown: {ratio * 100:+.1f} % ({(on - off) * 1000:+.0f} ms); "
        f"target < {SLOWDOWN_TARGET * 100:g} %: {'met' if ratio < SLOWDOWN_TARGET else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
