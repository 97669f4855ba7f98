"""The README's examples, run as a reader would run them.

Which fenced blocks are examples (the rule):

1. **Command blocks**: a fence without a language whose first line is a command, i.e. starts
   with ``kustomer-contract ``, ``pytest``, ``pip `` or ``apt-get `` (``kustomer-contract
   check: ...``, the header the README quotes, is output: a first word ending in ``:`` is not a
   command). In such a block every line starting so is a command, an indented line continues
   the line above, and any other line is output the command above must print (on stdout or
   stderr). The commands of a block run in order, in one folder.
2. **Synopses**: a command containing ``[-`` (``kustomer-contract check [--impl M:A | ...]``)
   is not run; every ``--option`` it names must be in ``kustomer-contract <command> --help``.
3. **Marked blocks**: any fenced block with ``<!-- example: FILE -->`` on the line above is
   written to FILE; ``<!-- example: FILE; run: COMMAND; expect: TEXT -->`` then runs COMMAND
   beside it and looks for TEXT in its output. A marked block without ``run`` must parse
   (YAML, TOML, Python). Unmarked yaml / toml / python / html blocks are illustrations.

How commands run:

- In a scratch folder, not in the checkout, so that nothing is written into it and ``pytest``
  does not collect this repository's own suite. A path starting with ``examples/`` is the
  checkout's. The README's placeholders are there: ``mypkg/fake.py`` and ``mypkg/chat.py``
  (factories of the reference double), ``klass.yaml``, ``path/to/impl.mjs`` (the JS reference
  double), ``path/to/page.html`` (a page with it), ``path/to/binding.yaml`` (the web binding).
- Small budgets: ``kustomer-contract check`` gets ``--max-examples 3`` and ``pytest``
  ``--kustomer-max-examples 3`` unless the command sets them (the README's commands use the
  default 100 cases, minutes in all).
- The exit code must be 0, unless the line ends in a comment ``# exits N``.

Skipped, by these rules only:

- ``pip install ...`` and ``apt-get install ...``: installing is not under test (this
  environment has the package, its extras and Chromium, or skips); of ``pip install X && CMD``
  the CMD runs.
- ``pytest`` alone in a command block (the README's second command): this repository's own
  suite, which CI runs (11+ minutes).
- a command naming ``http://127.0.0.1:8000/``: a server of the reader's own.
- blocks with a Chromium command (``--browser``, ``--kustomer-browser``, ``record``) are marked
  ``browser``: skipped without Playwright and a Chromium, unless KUSTOMER_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PROGRAMS = ("kustomer-contract", "pytest", "pip", "apt-get")
BROWSER_WORDS = ("--browser", "--kustomer-browser")
TIMEOUT = 180  # seconds per command; a hang fails instead of stalling the suite

FENCE = re.compile(r"^```(\S*)\s*$")
MARKER = re.compile(r"^<!--\s*example:\s*(.*?)\s*-->\s*$")
EXITS = re.compile(r"#\s*exits\s+(\d+)\b")


@dataclass
class Command:
    line: int
    text: str  # the command as the README shows it (continuations joined)
    output: list[str] = field(default_factory=list)  # lines it must print

    @property
    def words(self) -> list[str]:
        return shlex.split(self.text, comments=True)

    @property
    def exit_code(self) -> int:
        m = EXITS.search(self.text)
        return int(m.group(1)) if m else 0


@dataclass
class Block:
    line: int  # of the opening fence
    lang: str
    body: list[str]
    marker: dict[str, str] | None = None

    @property
    def id(self) -> str:
        return f"README.md:{self.line}"


def blocks() -> list[Block]:
    lines = README.read_text(encoding="utf-8").splitlines()
    out: list[Block] = []
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        marker = MARKER.match(lines[i - 1]) if i else None
        fields = None
        if marker:
            first, *rest = (part.strip() for part in marker.group(1).split(";"))
            fields = {"file": first}
            for part in rest:
                key, _, value = part.partition(":")
                fields[key.strip()] = value.strip()
        out.append(Block(i + 1, m.group(1), lines[i + 1 : end], fields))
        i = end + 1
    return out


def is_command(line: str) -> bool:
    first, _, rest = line.partition(" ")
    if first not in PROGRAMS:
        return False
    return not rest.split(" ", 1)[0].endswith(":")


def commands(block: Block) -> list[Command]:
    out: list[Command] = []
    for n, text in enumerate(block.body, start=block.line + 1):
        if is_command(text):
            out.append(Command(n, text))
        elif text.startswith(" ") and out and not out[-1].output:
            out[-1].text += " " + text.strip()
        elif text.strip():
            out[-1].output.append(text)
    return out


ALL = blocks()
COMMAND_BLOCKS = [b for b in ALL if not b.lang and b.body and is_command(b.body[0])]
SYNOPSES = [c for b in COMMAND_BLOCKS for c in commands(b) if "[-" in c.text]
RUNNABLE = [b for b in COMMAND_BLOCKS if any("[-" not in c.text for c in commands(b))]
MARKED = [b for b in ALL if b.marker is not None]


def why_skipped(command: Command) -> str | None:
    words = command.words
    if words[:2] in (["pip", "install"], ["apt-get", "install"]) and "&&" not in words:
        return "an install step"
    if words == ["pytest"]:
        return "this repository's own suite (CI runs it)"
    if any(w.startswith("http://127.0.0.1:8000/") for w in words):
        return "needs a server of the reader's own"
    return None


def uses_browser(block: Block) -> bool:
    in_block = commands(block) if block in COMMAND_BLOCKS else []
    runs = [c for c in in_block if "[-" not in c.text and why_skipped(c) is None]
    run_lines = [block.marker["run"]] if block.marker and "run" in block.marker else []
    words = [w for c in runs for w in c.words] + [w for r in run_lines for w in shlex.split(r)]
    return any(w in BROWSER_WORDS for w in words) or "record" in words


def marks(block: Block) -> list:
    return [pytest.mark.browser] if uses_browser(block) else []


# --- running -------------------------------------------------------------------------------


PAGE = """<!doctype html><meta charset="utf-8"><title>path/to/page.html</title>
<script type="module">
  import createKustomer from "/__kustomer_contract__/kustomer-double.mjs";
  window.createKustomer = createKustomer;
  window.Kustomer = createKustomer();
</script>
"""


def scratch(tmp_path: Path) -> Path:
    """A folder with the README's placeholders, as a reader's project would have them."""
    (tmp_path / "mypkg").mkdir()
    (tmp_path / "mypkg" / "__init__.py").write_text("")
    for name in ("fake", "chat"):
        (tmp_path / "mypkg" / f"{name}.py").write_text(
            "from kustomer_contract.reference import make  # noqa: F401\n"
        )
    (tmp_path / "klass.yaml").write_text(
        "attributes: [favoriteColorStr, loyaltyPointsNum, vipBool, lastOrderAt]\n"
    )
    to = tmp_path / "path" / "to"
    to.mkdir(parents=True)
    shutil.copy(ROOT / "kustomer_contract" / "reference" / "kustomer-double.mjs", to / "impl.mjs")
    (to / "page.html").write_text(PAGE)
    shutil.copy(ROOT / "specs" / "bindings" / "web.yaml", to / "binding.yaml")
    return tmp_path


def argv(words: list[str]) -> list[str]:
    """The words as this environment runs them, with the budgets and the checkout's paths."""
    words = [str(ROOT / w) if w.startswith("examples/") else w for w in words]
    program, rest = words[0], words[1:]
    if program == "kustomer-contract":
        script = Path(sys.executable).parent / "kustomer-contract"
        head = [str(script)] if script.exists() else [sys.executable, "-m", "kustomer_contract.cli"]
        if rest[:1] == ["check"] and "--max-examples" not in rest:
            rest += ["--max-examples", "3"]
        return head + rest
    if program == "pytest":
        if "--kustomer-max-examples" not in rest:
            rest += ["--kustomer-max-examples", "3"]
        return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *rest]
    raise AssertionError(f"no way to run {program!r}")


def run(words: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "HYPOTHESIS_", "KUSTOMER_CONTRACT_"))
    }
    env["PYTHONPATH"] = str(cwd)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        argv(words), cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )


def shown(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"


# --- the tests -----------------------------------------------------------------------------


def test_the_readme_has_examples_of_each_kind():
    assert len(RUNNABLE) >= 5 and len(SYNOPSES) >= 5 and len(MARKED) >= 5
    # the two commands at the top are examples, and stay as they are
    top = README.read_text(encoding="utf-8").splitlines()[:9]
    assert top[2:4] == ["```", "pip install -e . && kustomer-contract check"]
    assert top[6:8] == ["```", "pip install -e '.[test]' && pytest"]


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id, marks=marks(b)) for b in RUNNABLE])
def test_command_block(block: Block, tmp_path: Path):
    cwd = scratch(tmp_path)
    ran = 0
    for command in commands(block):
        if "[-" in command.text or why_skipped(command):
            continue
        words = command.words
        if "&&" in words:  # pip install X && CMD: CMD runs here
            words = words[words.index("&&") + 1 :]
            if words == ["pytest"]:
                continue
        done = run(words, cwd)
        ran += 1
        where = f"README.md:{command.line}: {command.text}\n{shown(done)}"
        assert done.returncode == command.exit_code, where
        for line in command.output:
            assert line in done.stdout + done.stderr, f"{where}\nmissing: {line}"
    if not ran:
        reasons = {why_skipped(c) or "this repository's own suite" for c in commands(block)}
        pytest.skip("; ".join(sorted(reasons)))


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id, marks=marks(b)) for b in MARKED])
def test_marked_block(block: Block, tmp_path: Path):
    cwd = scratch(tmp_path)
    assert block.marker is not None
    target = cwd / block.marker["file"]
    text = "\n".join(block.body) + "\n"
    target.write_text(text, encoding="utf-8")
    if "run" not in block.marker:
        if target.suffix in (".yaml", ".yml"):
            assert yaml.safe_load(text) is not None
        elif target.suffix == ".toml":
            pytest.importorskip("tomllib").loads(text)  # Python 3.11+
        elif target.suffix == ".py":
            compile(text, str(target), "exec")
        return
    done = run(shlex.split(block.marker["run"]), cwd)
    where = f"{block.id}: {block.marker['run']}\n{shown(done)}"
    assert done.returncode == 0, where
    if "expect" in block.marker:
        assert block.marker["expect"] in done.stdout + done.stderr, where


HELP: dict[str, str] = {}


@pytest.mark.parametrize("command", SYNOPSES, ids=[f"README.md:{c.line}" for c in SYNOPSES])
def test_synopsis_names_real_options(command: Command, tmp_path: Path):
    sub = command.text.split()[1]
    if sub not in HELP:
        done = run(["kustomer-contract", sub, "--help"], tmp_path)
        assert done.returncode == 0, shown(done)
        HELP[sub] = done.stdout
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", command.text))
    missing = sorted(o for o in named if o not in HELP[sub])
    assert missing == [], f"README.md:{command.line}: `{sub} --help` lacks {missing}"


def test_pre_commit_snippet_names_the_hooks_this_repo_defines(tmp_path: Path):
    """The snippet pins a commit (no release is tagged) and names hooks that
    .pre-commit-hooks.yaml defines, whose entry is a command this package has."""
    (block,) = [b for b in MARKED if b.marker and b.marker["file"] == ".pre-commit-config.yaml"]
    repos = yaml.safe_load("\n".join(block.body))
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    defined = {h["id"]: h for h in hooks}
    for repo in repos:
        assert repo["rev"] == "<commit SHA>" or re.fullmatch(r"[0-9a-f]{40}", repo["rev"])
        for hook in repo["hooks"]:
            assert hook["id"] in defined, hook
            entry = shlex.split(defined[hook["id"]]["entry"])
            assert entry[0] == "kustomer-contract", entry
            done = run([*entry, "--help"], tmp_path)
            assert done.returncode == 0, shown(done)
