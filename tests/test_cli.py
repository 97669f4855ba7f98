"""The check command: exit codes CI understands, a table, JSON, and clear usage errors."""

import json
import textwrap

import pytest

from kustomer_contract.cli.main import main


def test_check_on_the_reference_passes(capsys):
    assert main(["check", "--max-examples", "5", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "kustomer_contract.reference:make against spec v1" in out
    assert "the contract holds: 13/13 passed" in out
    for line in out.splitlines()[2:15]:
        assert line.split()[1] == "passed"
        assert int(line.split()[2]) >= 5  # cases run per guarantee


def test_check_json(capsys, data_dir):
    code = main(
        [
            "check",
            "--max-examples",
            "3",
            "--seed",
            "2",
            "--json",
            "--only",
            "rejects-unknown-custom",
            "--klass",
            str(data_dir / "klass.yaml"),
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["passed"] is True and data["seed"] == 2
    assert [r["guarantee"] for r in data["results"]] == ["rejects-unknown-custom"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--impl", "nope_module:make"], "cannot import 'nope_module'"),
        (["--impl", "json"], "expected module:attribute"),
        (["--impl", "json:nothing"], "has no attribute 'nothing'"),
        (["--impl", "json:__doc__"], "is not callable"),
        (["--impl", "builtins:dict"], "lacks the SDK method(s)"),
        (["--spec", "v9"], "no such spec"),
        (["--klass", "/nonexistent/klass.yaml"], "file not found"),
        (["--only", "no-such-guarantee"], "unknown guarantee"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, args, words):
    assert main(["check", "--max-examples", "1", *args]) == 2
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_numbers_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["check", "--max-examples", "0"])
    assert info.value.code == 2


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "check" in capsys.readouterr().err


def test_a_callback_that_never_comes_fails_after_the_timeout(tmp_path, monkeypatch, capsys):
    (tmp_path / "silent.py").write_text(
        textwrap.dedent("""
        from kustomer_contract.reference import KustomerDouble

        class Silent(KustomerDouble):
            def describeCustomer(self, options, callback=None):
                if options:  # answers reads, never real updates
                    return None
                return super().describeCustomer(options, callback)

        def make():
            return Silent()
    """)
    )
    monkeypatch.chdir(tmp_path)
    code = main(
        [
            "check",
            "--impl",
            "silent:make",
            "--only",
            "callback-once",
            "--max-examples",
            "10",
            "--seed",
            "1",
            "--timeout",
            "0.2",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    failure = data["results"][0]["failure"]
    assert failure["guarantee"] == "callback-once"
    assert "not called within 0.2 s" in failure["observed"]


def test_an_exception_in_the_implementation_is_a_failure_not_a_crash(tmp_path, monkeypatch, capsys):
    (tmp_path / "raising.py").write_text(
        textwrap.dedent("""
        class Raising:
            def start(self, options=None, callback=None):
                callback({}, None)
            def login(self, options, callback=None):
                callback({}, None)
            def logout(self, callback=None):
                callback({}, None)
            def describeCustomer(self, options, callback=None):
                raise RuntimeError("boom")

        def make():
            return Raising()
    """)
    )
    monkeypatch.chdir(tmp_path)
    code = main(
        [
            "check",
            "--impl",
            "raising:make",
            "--only",
            "accepts-valid",
            "--max-examples",
            "5",
            "--seed",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED accepts-valid" in out and "raised RuntimeError: boom" in out


NODE_REFERENCE = str(
    __import__("pathlib").Path(__file__).resolve().parent.parent
    / "kustomer_contract/reference/kustomer-double.mjs"
)


@pytest.mark.skipif(not __import__("shutil").which("node"), reason="node is not installed")
def test_check_a_javascript_implementation(capsys):
    assert main(["check", "--node", NODE_REFERENCE, "--max-examples", "3", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "found the implementation as: default export factory" in out
    assert "the contract holds: 13/13 passed" in out


def test_impl_and_node_together_is_a_usage_error(capsys):
    assert main(["check", "--impl", "kustomer_contract.reference:make", "--node", "x.mjs"]) == 2
    assert "give one of --impl, --node and --browser" in capsys.readouterr().err
