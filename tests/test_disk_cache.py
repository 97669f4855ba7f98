"""The on-disk spec cache: used only while its files are unchanged, never hides an error,
and costs nothing but time when its folder is unusable."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kustomer_contract._core import disk_cache
from kustomer_contract.spec import loader
from kustomer_contract.spec.types import SpecError

SPECS = Path(loader.specs_dir())


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KUSTOMER_CONTRACT_CACHE_DIR", str(folder))
    loader._load_spec.cache_clear()  # the in-process cache would answer before the disk
    yield folder
    loader._load_spec.cache_clear()


@pytest.fixture
def spec_copy(tmp_path) -> Path:
    target = tmp_path / "spec"
    shutil.copytree(SPECS / "v1", target)
    return target


def _title(spec_dir: Path, title: str) -> None:
    path = spec_dir / "contract.yaml"
    text = path.read_text()
    assert "\ntitle:" in text
    lines = [f"title: {title}" if line.startswith("title:") else line for line in text.splitlines()]
    path.write_text("\n".join(lines) + "\n")


def test_a_loaded_spec_is_stored_and_read_back(cache_dir, spec_copy, monkeypatch):
    first = loader.load_spec(spec_copy)
    assert len(list(cache_dir.glob("*.pickle"))) == 1
    loader._load_spec.cache_clear()
    monkeypatch.setattr(loader, "_read_spec", lambda path: pytest.fail("read again"))
    again = loader.load_spec(spec_copy)
    assert again.title == first.title and again.document == first.document


def test_an_edited_file_is_read_afresh(cache_dir, spec_copy):
    loader.load_spec(spec_copy)
    _title(spec_copy, "Edited")
    loader._load_spec.cache_clear()
    assert loader.load_spec(spec_copy).title == "Edited"


def test_an_edited_referenced_file_is_read_afresh(cache_dir, spec_copy):
    before = loader.load_spec(spec_copy)
    referenced = spec_copy / "schemas" / "custom-attributes.yaml"
    referenced.write_text(referenced.read_text().replace("format: uri", "format: uri-reference"))
    loader._load_spec.cache_clear()
    after = loader.load_spec(spec_copy)
    assert "'uri-reference'" in repr(after.document) and "'uri-reference'" not in repr(
        before.document
    )


def test_a_broken_spec_is_never_stored_and_its_error_always_shown(cache_dir, spec_copy):
    loader.load_spec(spec_copy)
    contract = spec_copy / "contract.yaml"
    good = contract.read_text()
    contract.write_text(good.replace("target:", "tarrget:", 1))
    for _ in range(2):
        loader._load_spec.cache_clear()
        with pytest.raises(SpecError):
            loader.load_spec(spec_copy)
    contract.write_text(good)
    loader._load_spec.cache_clear()
    assert loader.load_spec(spec_copy).target.name


def test_a_corrupt_entry_is_rebuilt(cache_dir, spec_copy):
    loader.load_spec(spec_copy)
    [entry] = cache_dir.glob("*.pickle")
    entry.write_bytes(entry.read_bytes()[:40])
    loader._load_spec.cache_clear()
    assert loader.load_spec(spec_copy).target.name
    assert len(entry.read_bytes()) > 40  # and stored again whole


def test_an_unwritable_folder_costs_only_time(tmp_path, monkeypatch, spec_copy):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KUSTOMER_CONTRACT_CACHE_DIR", str(blocker / "cache"))
    loader._load_spec.cache_clear()
    assert loader.load_spec(spec_copy).target.name
    loader._load_spec.cache_clear()


def test_the_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("KUSTOMER_CONTRACT_CACHE_DIR", "off")
    assert disk_cache.cache_folder() is None
    calls = []
    assert disk_cache.cached("k", lambda: (calls.append(1) or 7, [])) == 7
    assert disk_cache.cached("k", lambda: (calls.append(1) or 7, [])) == 7
    assert len(calls) == 2
