"""Every citation the specs make points at something a user has: a page on the web or a file
that ships in the package.

A ``source:`` (in specs/explain.yaml, which ``kustomer-contract explain ID`` prints, and in the
specs' contract.yaml files) is a ``;``-separated list of citations. Each one is an http(s) URL
or a path under ``specs/`` that exists in the installed package's specs folder, optionally
followed by a note in parentheses (a section of the page, a key of the file); a quotation of
the docs carries its URL in the note. Nothing in specs/ may name the project's working notes
(``seed/``, ``domain/``, ``DESIGN.md``), which no installation has.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kustomer_contract.cli.main import main
from kustomer_contract.spec.explain import entries, known_ids
from kustomer_contract.spec.loader import specs_dir

UNSHIPPED = ("seed/", "domain/", "DESIGN.md")
URL = re.compile(r"https?://[^\s;,)]+")
# A path-like token: a/b..., or a name with a file extension.
PATHLIKE = re.compile(r"[\w.-]+/[\w./-]*[\w]|\b[\w-]+\.(?:md|txt|ya?ml|json|py|mjs|js|cjs)\b")
SPEC_FILES = sorted(p for p in specs_dir().rglob("*") if p.suffix in (".yaml", ".yml"))


def sources(value, where: str = ""):
    """(pointer, text) of every ``source`` key in a YAML document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "source" and isinstance(item, str):
                yield f"{where}/source", item
            else:
                yield from sources(item, f"{where}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from sources(item, f"{where}/{i}")


ALL_SOURCES = [
    (f"{path.relative_to(specs_dir()).as_posix()}#{pointer}", text)
    for path in SPEC_FILES
    for pointer, text in sources(yaml.safe_load(path.read_text(encoding="utf-8")))
]


def problems_of(source: str) -> list[str]:
    """What in one ``source:`` text names nothing a user has."""
    out = [f"names {bad!r}" for bad in UNSHIPPED if bad in source]
    for citation in (part.strip() for part in source.split(";")):
        if not URL.search(citation) and not PATHLIKE.search(citation):
            out.append(f"{citation!r} cites neither a URL nor a shipped file")
    for token in PATHLIKE.findall(URL.sub(" ", source)):
        rel = token[len("specs/") :] if token.startswith("specs/") else None
        if rel is None or not (specs_dir() / rel).is_file():
            out.append(f"{token!r} is not a file of the installed package's specs/")
    return out


def test_the_specs_have_sources_to_check():
    assert len(ALL_SOURCES) >= len(entries()) + 2  # every explain entry, each contract.yaml


@pytest.mark.parametrize("where,source", ALL_SOURCES, ids=[w for w, _ in ALL_SOURCES])
def test_every_source_names_a_url_or_a_shipped_file(where, source):
    assert problems_of(source) == [], where


def test_the_check_itself_refuses_unshipped_and_missing_files():
    assert problems_of("seed/describeCustomer.txt (options)")
    assert problems_of("DESIGN.md (guarantees)")
    assert problems_of("specs/v9/contract.yaml")
    assert problems_of("the docs, somewhere")
    assert not problems_of("https://developer.kustomer.com/x (Syntax); specs/v1/contract.yaml")


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: p.relative_to(specs_dir()).as_posix())
def test_no_spec_file_mentions_the_working_notes(path):
    """Comments included: a reader of the shipped YAML is sent nowhere they cannot follow."""
    text = path.read_text(encoding="utf-8")
    assert [bad for bad in UNSHIPPED if bad in text] == []


def test_explain_output_of_every_id_cites_only_what_ships(capsys):
    ids = [i for group in known_ids().values() for i in group]
    assert len(ids) == len(entries()) > 20
    for id_ in ids:
        assert main(["explain", id_]) == 0
        out = capsys.readouterr().out
        source = next(line for line in out.splitlines() if line.startswith("Source: "))
        assert problems_of(source[len("Source: ") :]) == [], id_
        assert [bad for bad in UNSHIPPED if bad in out] == [], id_


def test_the_console_script_prints_the_same():
    """One id through the installed ``kustomer-contract`` command, as a user runs it."""
    script = Path(sys.executable).parent / "kustomer-contract"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kustomer_contract.cli"]
    done = subprocess.run(
        [*command, "explain", "start-first"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "https://developer.kustomer.com/" in done.stdout
    assert [bad for bad in UNSHIPPED if bad in done.stdout] == []
