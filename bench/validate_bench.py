"""Benchmark `kustomer-contract validate` against named references.

    python bench/validate_bench.py [--quick]

1. A directory of 10,000 small payload files (1,000 with --quick), about 1% invalid:
   `kustomer-contract validate DIR` against `check-jsonschema --schemafile schema.json FILES...`
   (installed in its own venv, bench/out/cjs-venv, created on the first run), 3 rounds each,
   alternating, end-to-end wall clock; median of each, the ratio, and whether both tools
   flag the same files.
   Also against the minimal loop (`json.load` + `jsonschema_rs` over the same files, in one
   process) for the folder and for one file: alternating pairs, the median of their ratios.
2. A JSON Lines stream of 1,000,000 payloads (100,000 with --quick): `kustomer-contract
   validate FILE.jsonl` against the minimal loop (`orjson` + `jsonschema_rs`) over the same
   file (3 rounds each, alternating, medians) and a plain loop (`json.loads` + `Draft202012Validator.is_valid`, with a format
   checker, about 10k lines/s) over a stream 10 times shorter; payloads/s and peak RSS of
   each, and our peak on the shorter stream, to show the memory does not grow with it.

This is a benchmark, not a test: it prints figures and asserts nothing (the exit code is 0
unless the benchmark itself could not run). Data goes to bench/out/ (git-ignored); the big
files are removed at the end; the generated fixtures (deterministic for their seed) and the
check-jsonschema venv are kept for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
CJS_VENV = OUT / "cjs-venv"
CACHE = OUT / "fixtures-cache"
BIN = Path(sys.executable).parent
SEED = 1
ROUNDS = 3
# Against the minimal loop, each round times pairs back to back (alternating which goes
# first) and the figure is the median of the pairs' ratios: a shared machine's load moves
# both sides of a pair alike, where medians taken apart can pair a busy moment with a quiet one.
FOLDER_PAIRS = 5
ONE_FILE_PAIRS = 5
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# The plain loop of part 2, run in its own process so that its peak RSS is its own.
PLAIN_LOOP = """
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
n = bad = 0
with open(sys.argv[2], encoding="utf-8") as f:
    for line in f:
        n += 1
        if not validator.is_valid(json.loads(line)):
            bad += 1
print(n, bad)
"""

# The minimal loops the issue measures against: the same schema in jsonschema_rs, over the
# files of part 1 (json.load per file) and over the stream of part 2 (orjson per line).
RS_FILES_LOOP = """
import json, os, sys
import jsonschema_rs
validator = jsonschema_rs.validator_for(json.load(open(sys.argv[1])), validate_formats=True)
bad = 0
for path in sys.argv[2:]:
    names = sorted(os.listdir(path)) if os.path.isdir(path) else [""]
    for name in names:
        with open(os.path.join(path, name) if name else path, "rb") as f:
            bad += not validator.is_valid(json.load(f))
print(bad)
"""
RS_STREAM_LOOP = """
import json, sys
import jsonschema_rs, orjson
validator = jsonschema_rs.validator_for(json.load(open(sys.argv[1])), validate_formats=True)
n = bad = 0
with open(sys.argv[2], "rb") as f:
    for line in f:
        n += 1
        bad += not validator.is_valid(orjson.loads(line))
print(n, bad)
"""

# Runs a command and prints its wall time and the peak RSS (KiB) of its children: used when
# GNU time is not available. The wrapper's only child is the measured command.
RSS_WRAPPER = """
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], "wb"))
wall = time.perf_counter() - t
print(rc, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
"""


def tool(name: str) -> str:
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        sys.exit(f"validate_bench: {name} not found next to {sys.executable} or on PATH")
    return found


def say(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data


def generated(kind: str, count: int) -> list[str]:
    """JSON Lines of `kustomer-contract fixtures`, cached: they are the same for a seed."""
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"{kind}-{count}-seed{SEED}.jsonl"
    if not cached.exists():
        say(f"  generating {count} {kind} fixtures (once; cached in {cached.relative_to(HERE.parent)})")
        cmd = [tool("kustomer-contract"), "fixtures", "--kind", kind, "--count", str(count),
               "--seed", str(SEED), "--out", "-"]
        text = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(cached)
    return cached.read_text(encoding="utf-8").splitlines()


def valid_payloads(quick: bool) -> list[object]:
    # The full set takes about a minute to generate; --quick makes do with a smaller one
    # unless a full run has cached it already.
    full = CACHE / f"valid-2000-seed{SEED}.jsonl"
    count = 2000 if not quick or full.exists() else 200
    return [json.loads(line) for line in generated("valid", count)]


def invalid_payloads(count: int) -> list[tuple[object, dict]]:
    """(payload, label): the label names the pointer and keyword the payload breaks."""
    return [(case["payload"], case["label"])
            for case in map(json.loads, generated("invalid", count))]


# Varied layouts, so that no two files of the set are the same bytes.
LAYOUTS = [
    {"indent": 2, "ensure_ascii": False},
    {"separators": (",", ":"), "ensure_ascii": False},
    {"indent": 4, "sort_keys": True, "ensure_ascii": False},
    {"ensure_ascii": True},
    {"indent": "\t", "sort_keys": True, "ensure_ascii": False},
]


def write_files(
    folder: Path, n: int, valid: list[object], invalid: list[tuple[object, dict]]
) -> dict[str, dict]:
    """n files, one payload each, every 100th invalid; returns the invalid ones' labels."""
    folder.mkdir(parents=True)
    bad: dict[str, dict] = {}
    good_iter = cycle(enumerate(valid))
    bad_iter = cycle(invalid)
    for i in range(n):
        name = f"p{i:05d}.json"
        if i % 100 == 50:
            (payload, bad[name]), layout = next(bad_iter), LAYOUTS[i % len(LAYOUTS)]
        else:
            k, payload = next(good_iter)
            layout = LAYOUTS[(i // len(valid) + k) % len(LAYOUTS)]
        (folder / name).write_text(json.dumps(payload, **layout) + "\n", encoding="utf-8")
    return bad


def write_jsonl(path: Path, n: int, valid: list[object]) -> None:
    lines = [json.dumps(p, ensure_ascii=False, separators=(", ", ": ")) + "\n" for p in valid]
    with path.open("w", encoding="utf-8") as f:
        full, rest = divmod(n, len(lines))
        block = "".join(lines)
        for _ in range(full):
            f.write(block)
        f.write("".join(lines[:rest]))


def export_schema(path: Path) -> None:
    from kustomer_contract.spec.loader import load_spec

    schema = {"$schema": DRAFT, **load_spec("v1").target.options_schema}
    path.write_text(json.dumps(schema), encoding="utf-8")


# ---------------------------------------------------------------- check-jsonschema


def cjs_executable(quick: bool) -> str | None:
    exe = CJS_VENV / "bin" / "check-jsonschema"
    if exe.exists():
        return str(exe)
    say(f"  creating {CJS_VENV.relative_to(HERE.parent)} and installing check-jsonschema (once)")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(CJS_VENV)], check=True,
                       capture_output=True, text=True)
        subprocess.run([str(CJS_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                        "check-jsonschema"], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        shutil.rmtree(CJS_VENV, ignore_errors=True)
        message = f"could not create the check-jsonschema venv: {detail.strip().splitlines()[-1:]}"
        if quick:
            say(f"  {message}; skipping check-jsonschema")
            return None
        sys.exit(f"validate_bench: {message}")
    return str(exe)


def chunks(names: list[str], fixed: list[str]) -> list[list[str]]:
    """Split the file list like xargs, only when one command line would be too long."""
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (ValueError, OSError):
        arg_max = 131072
    budget = arg_max // 2 - sum(len(v) + len(k) + 2 for k, v in os.environ.items())
    budget -= sum(len(a) + 1 for a in fixed)
    out: list[list[str]] = [[]]
    used = 0
    for name in names:
        size = len(name) + 1 + 8  # the string and its argv pointer
        if out[-1] and used + size > budget:
            out.append([])
            used = 0
        out[-1].append(name)
        used += size
    return out


CJS_ERROR = re.compile(r"^\s+(.+?)::")
OURS_PROBLEM = re.compile(r"^(.+?\.json):(?:\d+:\d+:)? ")


def time_cjs(exe: str, cwd: Path, schema: str, names: list[str]) -> tuple[float, set[str], int]:
    fixed = [exe, "--schemafile", schema]
    parts = chunks(names, fixed)
    failing: set[str] = set()
    t = time.perf_counter()
    outputs = [subprocess.run(fixed + part, cwd=cwd, capture_output=True, text=True)
               for part in parts]
    wall = time.perf_counter() - t
    for run in outputs:
        if run.returncode not in (0, 1):
            sys.exit(f"validate_bench: check-jsonschema failed ({run.returncode}):\n{run.stderr}")
        for line in run.stdout.splitlines():
            m = CJS_ERROR.match(line)
            if m:
                failing.add(Path(m.group(1)).name)
    return wall, failing, len(parts)


def time_ours(cwd: Path, folder: str) -> tuple[float, set[str]]:
    cmd = [tool("kustomer-contract"), "validate", folder]
    t = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if run.returncode not in (0, 1):
        sys.exit(f"validate_bench: kustomer-contract validate failed ({run.returncode}):\n"
                 f"{run.stdout[-2000:]}{run.stderr[-2000:]}")
    failing = set()
    for line in run.stdout.splitlines():
        m = OURS_PROBLEM.match(line)
        if m:
            failing.add(Path(m.group(1)).name)
    return wall, failing


# ---------------------------------------------------------------- wall time + peak RSS


def gnu_time() -> str | None:
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    with tempfile.NamedTemporaryFile("r") as f:
        probe = subprocess.run([path, "-f", "%M", "-o", f.name, "true"], capture_output=True)
        return path if probe.returncode == 0 and f.read().strip().isdigit() else None


def measured(cmd: list[str], stdout_file: Path) -> tuple[int, float, float]:
    """(exit code, wall seconds, peak RSS in MB) of one command, output to a file."""
    timer = gnu_time()
    with tempfile.NamedTemporaryFile("r", dir=OUT, suffix=".rss") as rss:
        if timer:
            t = time.perf_counter()
            with stdout_file.open("wb") as sink:
                rc = subprocess.call([timer, "-f", "%M", "-o", rss.name, *cmd], stdout=sink)
            wall = time.perf_counter() - t
            peak_kib = int(rss.read().strip().splitlines()[-1])
        else:
            run = subprocess.run([sys.executable, "-c", RSS_WRAPPER, str(stdout_file), *cmd],
                                 capture_output=True, text=True)
            rc_s, wall_s, peak_s = run.stderr.strip().splitlines()[-1].split()
            rc, wall, peak_kib = int(rc_s), float(wall_s), int(peak_s)
    return rc, wall, peak_kib / 1024


# ---------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="1,000 files and 100,000 lines (for CI)")
    args = parser.parse_args()
    quick = args.quick
    n_files = 1_000 if quick else 10_000
    n_lines = 100_000 if quick else 1_000_000
    n_small = n_lines // 10

    # Measured as an installed copy runs: its modules' bytecode is written on the first run
    # (the minimal loops' libraries come compiled in their wheels). With this variable set,
    # every run would compile this package from source.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    load_before = os.getloadavg()
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="run-", dir=OUT))
    rows: list[str] = []
    notes: list[str] = []
    try:
        say(f"validate_bench ({'quick' if quick else 'full'}): data in {work.relative_to(HERE.parent)}")
        cjs = cjs_executable(quick)
        valid = valid_payloads(quick)
        invalid = invalid_payloads(100)
        export_schema(work / "schema.json")

        # -------- part 1: a directory of files
        say(f"  writing {n_files:,} files")
        expected_bad = write_files(work / "files", n_files, valid, invalid)
        names = sorted(p.name for p in (work / "files").iterdir())
        rel = [f"files/{name}" for name in names]
        ours_t: list[float] = []
        cjs_t: list[float] = []
        ours_bad: set[str] = set()
        cjs_bad: set[str] = set()
        n_chunks = 0
        rs_t: list[float] = []
        mine_t: list[float] = []  # ours over the folder, paired with rs_t
        one_ours: list[float] = []
        one_rs: list[float] = []
        rs_cmd = [sys.executable, "-c", RS_FILES_LOOP, "schema.json"]
        ours_one = [tool("kustomer-contract"), "validate", rel[0]]
        # Untimed: writes our bytecode and the spec cache, as any earlier run would have.
        subprocess.run(ours_one, cwd=work, capture_output=True, check=False)

        def pairs(ours_cmd: list[str], rs: list[str], n: int, mine: list[float],
                  theirs: list[float]) -> None:
            for _ in range(n):
                sides = [(mine, ours_cmd), (theirs, rs)]
                for times, cmd in sides if len(mine) % 2 == 0 else sides[::-1]:
                    t = time.perf_counter()
                    subprocess.run(cmd, cwd=work, capture_output=True, check=False)
                    times.append(time.perf_counter() - t)

        for r in range(ROUNDS):
            # Pairs against the minimal loop, over the folder and over one file, every round.
            pairs([tool("kustomer-contract"), "validate", "files"], [*rs_cmd, "files"],
                  FOLDER_PAIRS, mine_t, rs_t)
            pairs(ours_one, [*rs_cmd, rel[0]], ONE_FILE_PAIRS, one_ours, one_rs)
            order = ["ours", "cjs"] if r % 2 == 0 else ["cjs", "ours"]
            for who in order:
                if who == "ours":
                    wall, ours_bad = time_ours(work, "files")
                    ours_t.append(wall)
                elif cjs:
                    wall, cjs_bad, n_chunks = time_cjs(cjs, work, "schema.json", rel)
                    cjs_t.append(wall)
                else:
                    continue
                say(f"  round {r + 1} {who:5} {wall:6.2f} s")
        ours_med = statistics.median(ours_t)
        mine_med, rs_med, one_ours_med, one_rs_med = map(
            statistics.median, (mine_t, rs_t, one_ours, one_rs))
        folder_ratio = statistics.median(a / b for a, b in zip(mine_t, rs_t, strict=True))
        one_ratio = statistics.median(a / b for a, b in zip(one_ours, one_rs, strict=True))
        rows.append(f"{'files vs minimal loop':<24}kustomer-contract {mine_med:.2f} s   "
                    f"json.load + jsonschema_rs {rs_med:.2f} s   ratio {folder_ratio:.2f}x "
                    f"(median of {len(rs_t)} pairs; target <= 1.5x)")
        rows.append(f"{'one file':<24}kustomer-contract {one_ours_med:.3f} s   "
                    f"json.load + jsonschema_rs {one_rs_med:.3f} s   "
                    f"ratio {one_ratio:.2f}x (median of {len(one_rs)} pairs; target <= 2x)")
        label = f"validate {n_files:,} files"
        if cjs:
            cjs_med = statistics.median(cjs_t)
            rows.append(f"{label:<24}kustomer-contract {ours_med:.2f} s   "
                        f"check-jsonschema {cjs_med:.2f} s   ratio {cjs_med / ours_med:.1f}x "
                        f"(target >= 5x)")
            agree = "agree" if ours_bad == cjs_bad else "DISAGREE"
            verdict = (f"verdicts {agree}: kustomer-contract flags {len(ours_bad)} files, "
                       f"check-jsonschema {len(cjs_bad)}, {len(expected_bad)} written invalid")
            notes.append(verdict)
            for who, only in (("kustomer-contract", ours_bad - cjs_bad),
                              ("check-jsonschema", cjs_bad - ours_bad)):
                for name in sorted(only)[:5]:
                    label = expected_bad.get(name)
                    what = (f"written invalid: {label['pointer'] or '/'} breaks "
                            f"{label['keyword']}: {label['message']}" if label
                            else "written valid")
                    notes.append(f"  only {who} flags {name} ({what})")
                if len(only) > 5:
                    notes.append(f"  ... and {len(only) - 5} more only {who} flags")
            notes.append(f"rounds (s): kustomer-contract {' '.join(f'{t:.2f}' for t in ours_t)}; "
                         f"check-jsonschema {' '.join(f'{t:.2f}' for t in cjs_t)} "
                         f"({n_chunks} command line{'s' if n_chunks != 1 else ''} per round)")
        else:
            rows.append(f"{label:<24}kustomer-contract {ours_med:.2f} s   "
                        f"check-jsonschema skipped (no venv)")
            notes.append(f"kustomer-contract flags {len(ours_bad)} files, "
                         f"{len(expected_bad)} written invalid")
        shutil.rmtree(work / "files")

        # -------- part 2: a JSON Lines stream
        say(f"  writing {n_lines:,} and {n_small:,} lines")
        big, small = work / "stream.jsonl", work / "stream-small.jsonl"
        write_jsonl(big, n_lines, valid)
        write_jsonl(small, n_small, valid)
        size_mb = big.stat().st_size / 1e6
        ours_cmd = [tool("kustomer-contract"), "validate"]
        plain_cmd = [sys.executable, "-c", PLAIN_LOOP, str(work / "schema.json")]
        sink = work / "stdout.txt"

        # The long stream on both sides, alternating (3 rounds, medians): a shared machine's
        # load moves both alike.
        rs_stream = [sys.executable, "-c", RS_STREAM_LOOP, str(work / "schema.json")]
        ours_runs: list[tuple[float, float]] = []
        rs_runs: list[tuple[float, float]] = []
        for n in range(3):
            rc, wall, peak = measured([*ours_cmd, str(big)], sink)
            ours_runs.append((wall, peak))
            say(f"  round {n + 1} ours  {n_lines:,} lines {wall:6.2f} s, peak {peak:.0f} MB (exit {rc})")
            ours_summary = sink.read_text(encoding="utf-8").strip().splitlines()[-1:]
            rc, wall, peak = measured([*rs_stream, str(big)], sink)
            rs_runs.append((wall, peak))
            say(f"  round {n + 1} orjson+rs {n_lines:,} lines {wall:6.2f} s, peak {peak:.0f} MB (exit {rc})")
        ours_wall = statistics.median(w for w, _ in ours_runs)
        ours_peak = max(p for _, p in ours_runs)
        rs_wall = statistics.median(w for w, _ in rs_runs)
        rc, small_wall, small_peak = measured([*ours_cmd, str(small)], sink)
        say(f"  ours  {n_small:,} lines {small_wall:6.2f} s, peak {small_peak:.0f} MB (exit {rc})")
        # The plain loop is slow (about 10k lines/s): its rate is taken on the short stream.
        rc, plain_wall, plain_peak = measured([*plain_cmd, str(small)], sink)
        plain_out = sink.read_text().split()
        say(f"  plain {n_small:,} lines {plain_wall:6.2f} s, peak {plain_peak:.0f} MB (exit {rc})")
        rows.append(f"{'stream vs minimal loop':<24}kustomer-contract {n_lines / ours_wall / 1000:.0f}k/s   "
                    f"orjson + jsonschema_rs {n_lines / rs_wall / 1000:.0f}k/s   "
                    f"ratio {rs_wall / ours_wall:.2f}x (target >= 1x)")

        ours_rate, plain_rate = n_lines / ours_wall, n_small / plain_wall
        label = f"stream {n_lines:,} lines"
        rows.append(f"{label:<24}kustomer-contract {ours_rate / 1000:.0f}k/s, peak {ours_peak:.0f} MB   "
                    f"plain jsonschema loop {plain_rate / 1000:.0f}k/s ({n_small:,} lines), "
                    f"peak {plain_peak:.0f} MB   "
                    f"ratio {ours_rate / plain_rate:.1f}x")
        rows.append(f"{'memory vs length':<24}kustomer-contract peak {small_peak:.0f} MB on "
                    f"{n_small:,} lines, {ours_peak:.0f} MB on {n_lines:,} lines")
        notes.append(f"stream file {size_mb:.0f} MB; kustomer-contract: "
                     f"{ours_summary[0] if ours_summary else '?'}; plain loop: "
                     f"{plain_out[0] if plain_out else '?'} payloads, "
                     f"{plain_out[1] if len(plain_out) > 1 else '?'} invalid")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    load_after = os.getloadavg()
    print()
    for row in rows:
        print(row)
    for note in notes:
        print(f"  {note}")
    print(f"  load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          f"({os.cpu_count()} CPUs; figures are wall clock, so other load on the machine "
          f"slows both sides); benchmark took {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
