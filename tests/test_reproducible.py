"""A seed draws the same cases in every process, whatever local modules it has imported
(hypothesis otherwise mixes their source's constants into its draws, and a replay printed by
a pytest run could pass in the CLI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kustomer_contract.generate import reproducible

ROOT = Path(__file__).resolve().parent.parent

# Runs one short check of the reference in a fresh process and prints a digest of every case
# it ran; with "import constants" first, a local module full of string constants is loaded.
PROBE = """
import hashlib, sys
if sys.argv[1] == "with":
    import many_constants  # noqa: F401
from kustomer_contract.engine import runner
seen = []
original = runner.CaseRunner.run
def run(self, case, *args, **kwargs):
    seen.append(hashlib.sha256(repr(case).encode()).hexdigest()[:12])
    return original(self, case, *args, **kwargs)
runner.CaseRunner.run = run
from kustomer_contract.engine.session import Session, Settings
session = Session(Settings(max_examples=25, seed=7, only=["accepts-valid"]))
session.check("accepts-valid")
print(" ".join(seen))
"""


def _cases(tmp_path: Path, mode: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split()


def test_the_same_seed_draws_the_same_cases_whatever_is_imported(tmp_path):
    words = ", ".join(repr(f"local-constant-{n}") for n in range(400))
    (tmp_path / "many_constants.py").write_text(
        f"WORDS = [{words}]\nNUMBERS = {list(range(-300, -100))}\n"
    )
    without, with_module = _cases(tmp_path, "without"), _cases(tmp_path, "with")
    assert len(without) >= 25
    assert with_module == without


def test_the_patch_is_undone_after_the_search():
    with reproducible.independent_of_loaded_modules():
        with reproducible.independent_of_loaded_modules():
            assert reproducible.constants_are_pinned()
        assert reproducible.constants_are_pinned()
    assert not reproducible.constants_are_pinned()
