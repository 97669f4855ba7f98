"""[tool.kustomer-contract] in pyproject.toml for the CLI and the plugin, --version, and the
exit codes in check --help."""

from __future__ import annotations

import importlib.metadata
import json
import textwrap
from pathlib import Path

import pytest

import kustomer_contract
import kustomer_contract.engine.config  # noqa: F401 - imported before any pytester run
from kustomer_contract.cli.main import main
from kustomer_contract.engine.config import COMMAND_LINE, Config, ConfigError, choose, load
from kustomer_contract.engine.settings import DEFAULT_MAX_EXAMPLES, DEFAULT_TIMEOUT

DATA = Path(__file__).resolve().parent / "data"


def pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(textwrap.dedent(body))
    return path


# --- --version and the exit codes -------------------------------------------------------------


def test_version_prints_the_installed_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert (
        capsys.readouterr().out
        == f"kustomer-contract {importlib.metadata.version('kustomer-contract')}\n"
    )


def test_version_falls_back_to_the_package_version(capsys, monkeypatch):
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out == f"kustomer-contract {kustomer_contract.__version__}\n"


def test_check_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    codes = out[out.index("exit codes:") :].splitlines()[1:5]
    assert [line.split()[0] for line in codes] == ["0", "1", "2", "130"]
    assert "interrupted" in codes[3] and "not kept" in codes[1]
    assert "[tool.kustomer-contract]" in out


# --- reading the file -------------------------------------------------------------------------


def test_the_file_is_found_in_a_parent_and_paths_are_its_neighbours(tmp_path):
    (tmp_path / "klass.yaml").write_text((DATA / "klass.yaml").read_text())
    pyproject(
        tmp_path,
        """
        [project]
        name = "mine"

        [tool.kustomer-contract]
        klass = "klass.yaml"
        max_examples = 7
        shrink-budget = 9
        timeout = 3
        spec = "v2"
    """,
    )
    deeper = tmp_path / "a" / "b"
    deeper.mkdir(parents=True)
    pyproject(tmp_path / "a", "[project]\nname = 'no table here'\n")  # skipped, as pytest does
    config = load(deeper)
    assert config.path == tmp_path / "pyproject.toml"
    assert config.values == {
        "klass": str(tmp_path / "klass.yaml"),
        "max_examples": 7,
        "shrink_budget": 9,
        "timeout": 3.0,
        "spec": "v2",  # a bundled version, not a file
    }


def test_no_file_no_settings(tmp_path):
    assert load(tmp_path) == Config()


def test_the_command_line_wins_over_the_file_over_the_defaults():
    config = Config(Path("pyproject.toml"), {"max_examples": 7, "seed": 3, "node": "impl.mjs"})
    chosen = choose({"seed": 5, "impl": "mine:make", "timeout": None}, config)
    assert chosen.values["seed"] == 5 and chosen.origins["seed"] == COMMAND_LINE
    assert chosen.values["max_examples"] == 7 and chosen.origins["max_examples"] == "pyproject.toml"
    assert chosen.values["timeout"] == DEFAULT_TIMEOUT and "timeout" not in chosen.origins
    assert chosen.values["node"] is None  # the command line named the implementation
    assert chosen.described() == (
        "impl mine:make (command line), max-examples 7 (pyproject.toml), seed 5 (command line)"
    )
    assert choose({}, Config()).values["max_examples"] == DEFAULT_MAX_EXAMPLES


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("max-examples = 0", "max-examples = 0: 0 is not a whole number from 1 to 1,000,000"),
        ("max_examples = 2.5", "max_examples = 2.5: '2.5' is not a whole number"),
        ('timeout = "2"', 'timeout = "2": expected a number'),
        ("timeout = true", "timeout = true: expected a number"),
        (
            "timeout = 7200",
            "timeout = 7200: 7200 is not a number of seconds above 0 and at most 3600",
        ),
        ("grace = -1", "grace = -1: -1 is not a number of seconds of at least 0"),
        ("seed = 1.5", "seed = 1.5: '1.5' is not a whole number"),
        ("impl = 3", "impl = 3: expected a string"),
        ("max-exampels = 3", "max-exampels: unknown key; did you mean max-examples?"),
        ("json = true", "json: unknown key; the keys are impl, node, browser"),
        ("max-examples = 3\nmax_examples = 4", "max_examples: given twice (also as max-examples)"),
        ('impl = "a:b"\nnode = "x.mjs"', "impl and node both name the implementation; give one"),
    ],
)
def test_a_bad_value_or_key_is_one_line_naming_the_file_and_key(
    tmp_path, monkeypatch, capsys, body, says
):
    pyproject(tmp_path, f"[tool.kustomer-contract]\n{body}\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError):
        load()
    assert main(["check", "--only", "accepts-valid"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"kustomer-contract: error: pyproject.toml: [tool.kustomer-contract] {says}"
    )
    assert err.count("\n") == 1, err


def test_a_file_that_is_no_toml_is_one_line(tmp_path, monkeypatch, capsys):
    pyproject(tmp_path, "[tool.kustomer-contract\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kustomer-contract: error: pyproject.toml: not valid TOML: ")
    assert err.count("\n") == 1


# --- the CLI ----------------------------------------------------------------------------------


def test_check_takes_the_file_and_its_header_says_where_each_setting_came_from(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "klass.yaml").write_text((DATA / "klass.yaml").read_text())
    pyproject(
        tmp_path,
        """
        [tool.kustomer-contract]
        max-examples = 3
        seed = 8
        klass = "klass.yaml"
    """,
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)  # found in the parent; its Klass found beside it
    assert main(["check", "--only", "rejects-unknown-custom", "--seed", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("(1 guarantees, 3 cases each, seed 5)")
    assert out[1] == (
        "  settings: klass ../klass.yaml (../pyproject.toml), "
        "max-examples 3 (../pyproject.toml), seed 5 (command line)"
    )


def test_with_json_the_file_applies_and_stdout_stays_json(tmp_path, monkeypatch, capsys):
    pyproject(tmp_path, "[tool.kustomer-contract]\nseed = 11\nmax-examples = 2\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--only", "accepts-valid", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["seed"] == 11


def test_without_a_file_the_header_is_as_before(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--only", "accepts-valid", "--max-examples", "2", "--seed", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "settings:" not in "\n".join(out)
    assert out[1].split() == ["guarantee", "result", "cases", "seconds"]


# --- the pytest plugin ------------------------------------------------------------------------


def test_the_plugin_reads_the_file_below_its_ini_keys_and_command_line(pytester):
    pytester.makepyprojecttoml(
        "[tool.kustomer-contract]\nimpl = 'kustomer_contract.reference:make'\n"
        "max-examples = 2\nseed = 4\n"
    )
    result = pytester.runpytest("-k", "accepts-valid", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "kustomer-contract: impl kustomer_contract.reference:make "
            "(impl in pyproject.toml [[]tool.kustomer-contract[]]), spec v1, "
            "2 cases per guarantee, seed 4",
            "contract::accepts-valid PASSED*",
        ]
    )
    pytester.makeini("[pytest]\nkustomer_max_examples = 3\n")  # the ini key wins
    result = pytester.runpytest("-k", "accepts-valid", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*3 cases per guarantee, seed 4"])
    result = pytester.runpytest(
        "-k", "accepts-valid", "--kustomer-max-examples", "4", "-p", "no:cacheprovider"
    )
    result.stdout.fnmatch_lines(["*4 cases per guarantee, seed 4"])


def test_the_plugin_refuses_a_bad_value_in_the_file(pytester):
    pytester.makepyprojecttoml("[tool.kustomer-contract]\nmax-examples = 0\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: kustomer-contract: pyproject.toml: [[]tool.kustomer-contract[]] max-examples = 0: *"
        ]
    )
