"""The user's files: what the CLI writes never costs what was there.

``validate --output``, ``fixtures --out`` and ``record --out`` write whole files beside their
target and rename them into place (kustomer_contract.safe_write), never through a symlink
planted at the temporary or the target name; an output that is also an input is refused; a
fixtures folder holds only the current set; a failed recording leaves an earlier trace as
it was. Every refusal is one line and exit 2.

Running as root (as CI containers do) defeats permission bits, so a folder that cannot be
written is made with ``chattr +i`` where the file system allows it, and with a parent that
is a regular file, which no one can get past.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kustomer_contract._core import safe_write
from kustomer_contract._core.safe_write import AtomicFile, write_text
from kustomer_contract.cli.main import main

VALID = '{"attributes": {"emails": ["a@b.co"]}}\n'


def one_error_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("kustomer-contract: error: "), err
    assert "Traceback" not in err
    return err


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, or where a link points."""
    found: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "dir"
    return found


# ---------------------------------------------------------------------------
# safe_write


def test_a_symlink_at_the_temporary_name_is_never_followed(tmp_path, monkeypatch):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    names = iter(["planted", "free"])
    monkeypatch.setattr(safe_write, "_random_tag", lambda: next(names))
    (tmp_path / ".out.txt.planted.tmp").symlink_to(victim)
    write_text(tmp_path / "out.txt", "new\n")
    assert victim.read_text() == "precious\n"
    assert (tmp_path / "out.txt").read_text() == "new\n"
    assert os.readlink(tmp_path / ".out.txt.planted.tmp") == str(victim)  # left alone


def test_a_symlink_at_the_target_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / "out.txt").symlink_to(victim)
    write_text(tmp_path / "out.txt", "new\n")
    assert victim.read_text() == "precious\n"
    assert not (tmp_path / "out.txt").is_symlink()
    assert (tmp_path / "out.txt").read_text() == "new\n"


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    with pytest.raises(RuntimeError), AtomicFile(target) as stream:
        stream.write("half")
        raise RuntimeError("stopped")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    write_text(target, "new\n")
    assert (target.stat().st_mode & 0o777) == 0o640  # the permissions stay


def test_devices_are_streams_and_a_folder_is_in_the_way(tmp_path):
    write_text("/dev/null", "nothing\n")  # written to, not replaced
    assert Path("/dev/null").is_char_device()
    with pytest.raises(OSError) as caught:
        write_text("/dev/full", "x" * 10000)
    assert caught.value.errno == errno.ENOSPC
    (tmp_path / "dir").mkdir()
    with pytest.raises(IsADirectoryError):
        AtomicFile(tmp_path / "dir")


def test_commit_new_never_replaces(tmp_path):
    taken = tmp_path / "taken.txt"
    taken.write_text("mine\n")
    trace = AtomicFile(tmp_path / "t.txt")
    trace.stream.write("new\n")
    assert trace.commit_new(taken) is False
    assert trace.commit_new(tmp_path / "free.txt") is True
    assert taken.read_text() == "mine\n" and (tmp_path / "free.txt").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["free.txt", "taken.txt"]


# ---------------------------------------------------------------------------
# validate --output


def validate(capsys, *argv: object) -> tuple[int, str, str]:
    code = main(["validate", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("how", ["same-name", "symlink", "hard-link"])
def test_validate_output_that_is_an_input_is_refused(tmp_path, capsys, how):
    keep = tmp_path / "keep.json"
    keep.write_text(VALID)
    output = {"same-name": keep, "symlink": tmp_path / "l.json", "hard-link": tmp_path / "h.json"}[
        how
    ]
    if how == "symlink":
        output.symlink_to(keep)
    elif how == "hard-link":
        os.link(keep, output)
    before = snapshot(tmp_path)
    code, out, err = validate(capsys, keep, "--output", output)
    assert code == 2 and out == ""
    assert "is also an input" in one_error_line(err) and str(output) in err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["report.json", "sub/report.xml"])
def test_validate_output_inside_an_input_folder_is_refused(tmp_path, capsys, where):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.json").write_text(VALID)
    before = snapshot(tmp_path)
    code, _, err = validate(capsys, tmp_path, "--output", tmp_path / where)
    assert code == 2
    assert "is inside the input folder" in one_error_line(err)
    assert snapshot(tmp_path) == before


def test_validate_output_over_the_klass_or_a_folder_is_refused(tmp_path, capsys, data_dir):
    klass = tmp_path / "klass.yaml"
    shutil.copy(data_dir / "klass.yaml", klass)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_text(VALID)
    before = snapshot(tmp_path)
    code, _, err = validate(capsys, tmp_path / "in", "--klass", klass, "--output", klass)
    assert code == 2 and "is also an input" in one_error_line(err)
    code, _, err = validate(capsys, tmp_path / "in", "--output", tmp_path)
    assert code == 2 and "is a folder" in one_error_line(err)
    assert snapshot(tmp_path) == before


def test_validate_output_replaces_an_old_report_only_when_whole(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_text(VALID)
    report = tmp_path / "report.json"
    report.write_text("old report\n")
    code, out, _ = validate(capsys, "--format", "json", tmp_path / "in", "--output", report)
    assert code == 0 and out == ""
    assert json.loads(report.read_text())["summary"]["payloads"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "report.json"]


def test_validate_output_to_a_full_device_is_one_line(tmp_path, capsys):
    (tmp_path / "a.json").write_text(VALID * 1)
    code, _, err = validate(capsys, tmp_path / "a.json", "--output", "/dev/full")
    assert code == 2 and "/dev/full: cannot write the report" in one_error_line(err)


# ---------------------------------------------------------------------------
# fixtures --out


def fixtures(capsys, *argv: object) -> tuple[int, str]:
    code = main(["fixtures", *map(str, argv)])
    return code, capsys.readouterr().err


def manifest(folder: Path) -> list[str]:
    return json.loads((folder / ".kustomer-fixtures").read_text())["files"]


def test_rewriting_a_set_removes_the_stale_files(tmp_path, capsys):
    out = tmp_path / "fx"
    assert fixtures(capsys, "--kind", "invalid", "--count", "20", "--out", out)[0] == 0
    assert len(list(out.glob("invalid-*.json"))) == 20
    assert fixtures(capsys, "--kind", "invalid", "--count", "3", "--out", out)[0] == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [".kustomer-fixtures", "labels.json"] + [f"invalid-000{n}.json" for n in (1, 2, 3)]
    )
    assert sorted(json.loads((out / "labels.json").read_text())) == [
        f"invalid-000{n}.json" for n in (1, 2, 3)
    ]
    assert manifest(out) == sorted(n for n in names if n != ".kustomer-fixtures")
    # Another kind in the same folder: the invalid set, labels.json with it, is gone.
    assert fixtures(capsys, "--kind", "valid", "--count", "2", "--out", out)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".kustomer-fixtures",
        "valid-0001.json",
        "valid-0002.json",
    ]


def test_a_folder_with_other_files_is_refused_unless_force(tmp_path, capsys):
    out = tmp_path / "fx"
    out.mkdir()
    (out / "mine.json").write_text("{}\n")
    (out / "valid-0001.json").write_text('{"mine": true}\n')
    before = snapshot(tmp_path)
    code, err = fixtures(capsys, "--count", "3", "--out", out)
    assert code == 2
    assert "2 file(s) that fixtures did not write (mine.json, valid-0001.json)" in one_error_line(
        err
    )
    assert "--force" in err
    assert snapshot(tmp_path) == before
    code, err = fixtures(capsys, "--count", "3", "--out", out, "--force")
    assert code == 0
    assert (out / "mine.json").read_text() == "{}\n"  # beside, untouched
    assert json.loads((out / "valid-0001.json").read_text()) != {"mine": True}
    assert manifest(out) == ["valid-0001.json", "valid-0002.json", "valid-0003.json"]
    # mine.json is still not ours: each run into this folder needs --force. A later,
    # smaller set removes only its own files.
    assert fixtures(capsys, "--count", "1", "--out", out)[0] == 2
    assert fixtures(capsys, "--count", "1", "--out", out, "--force")[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".kustomer-fixtures",
        "mine.json",
        "valid-0001.json",
    ]


def test_a_planted_symlink_is_never_followed(tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "fx"
    out.mkdir()
    (out / "valid-0001.json").symlink_to(victim)  # at the target name
    (out / "valid-0001.json.tmp").symlink_to(victim)  # at the old fixed temporary name
    code, err = fixtures(capsys, "--count", "2", "--out", out)
    assert code == 2 and "did not write" in one_error_line(err)  # not ours: refused
    code, _ = fixtures(capsys, "--count", "2", "--out", out, "--force")
    assert code == 0
    assert victim.read_text() == "precious\n"
    assert not (out / "valid-0001.json").is_symlink()
    assert json.loads((out / "valid-0001.json").read_text()) is not None


def test_a_folder_in_the_way_of_a_file_name(tmp_path, capsys):
    out = tmp_path / "fx"
    (out / "valid-0002.json").mkdir(parents=True)
    before = snapshot(tmp_path)
    code, err = fixtures(capsys, "--count", "3", "--out", out, "--force")
    assert code == 2
    assert f"{out / 'valid-0002.json'}: a folder is in the way" in one_error_line(err)
    assert snapshot(tmp_path) == before  # said before anything was written


def test_out_that_cannot_be_a_folder(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x\n")
    code, err = fixtures(capsys, "--count", "2", "--out", blocker / "fx")  # parent is a file
    assert code == 2 and "cannot create or read the folder" in one_error_line(err)
    code, err = fixtures(capsys, "--count", "2", "--out", blocker)
    assert code == 2 and "is not a folder" in one_error_line(err)
    assert blocker.read_text() == "x\n"


def test_a_read_only_folder(tmp_path, capsys):
    out = tmp_path / "ro"
    out.mkdir()
    if os.geteuid() != 0:
        out.chmod(0o500)
    elif (
        shutil.which("chattr") is None
        or subprocess.run(["chattr", "+i", str(out)], capture_output=True).returncode
    ):
        pytest.skip("running as root without chattr +i here: see the simulated EROFS test")
    try:
        code, err = fixtures(capsys, "--count", "2", "--out", out)
        assert code == 2 and "cannot write" in one_error_line(err)
        assert os.listdir(out) == []
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(out)], check=True)
        else:
            out.chmod(0o700)


def test_a_read_only_file_system_simulated(tmp_path, capsys, monkeypatch):
    # The same error path as a read-only folder, for root on any file system.
    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(safe_write.os, "open", refuse)
    code, err = fixtures(capsys, "--count", "2", "--out", tmp_path / "fx")
    assert code == 2
    assert f"{tmp_path / 'fx' / '.kustomer-fixtures'}: cannot write: Read-only" in one_error_line(
        err
    )


def test_a_run_stopped_halfway_leaves_every_file_accounted_for(tmp_path, capsys, monkeypatch):
    from kustomer_contract.callers import fixtures as fixtures_module

    out = tmp_path / "fx"
    assert fixtures(capsys, "--count", "5", "--out", out)[0] == 0
    real, calls = fixtures_module.write_text, []

    def fail_after_two(path, text, **kwargs):
        calls.append(path)
        if len(calls) > 3:  # the claiming manifest and two fixtures, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, text, **kwargs)

    monkeypatch.setattr(fixtures_module, "write_text", fail_after_two)
    code, err = fixtures(capsys, "--kind", "invalid", "--count", "3", "--out", out)
    assert code == 2 and "No space left on device" in one_error_line(err)
    claimed = set(manifest(out))
    assert {p.name for p in out.iterdir()} - {".kustomer-fixtures"} <= claimed
    monkeypatch.setattr(fixtures_module, "write_text", real)
    assert fixtures(capsys, "--kind", "invalid", "--count", "3", "--out", out)[0] == 0
    assert len(list(out.iterdir())) == 5  # 3 fixtures, labels.json, the manifest


def test_stdout_that_is_full_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-c", "import sys; from kustomer_contract.cli import main; "
             "sys.exit(main(['fixtures', '--count', '50', '--out', '-']))"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 2
    assert "standard output: cannot write the fixtures: No space left" in one_error_line(
        done.stderr
    )


# ---------------------------------------------------------------------------
# record --out (a real Chromium)

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = ROOT / "examples" / "checkout"


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing.html"


@pytest.mark.browser
def test_a_page_that_does_not_load_leaves_the_earlier_trace(tmp_path, capsys):
    out = tmp_path / "existing.jsonl"
    out.write_text('{"seq": 1}\n')
    before = snapshot(tmp_path)
    code = main(["record", closed_port_url(), "--out", str(out), "--timeout", "10"])
    err = capsys.readouterr().err
    assert code == 2
    assert "could not be loaded" in one_error_line(err)
    assert f"nothing was recorded; {out} is as it was" in err
    assert snapshot(tmp_path) == before  # no temporary file left either


@pytest.mark.browser
def test_a_failed_recording_keeps_its_records_beside_the_earlier_trace(tmp_path, capsys):
    out = tmp_path / "existing.jsonl"
    out.write_text('{"seq": 1}\n')
    flow = tmp_path / "stops.py"
    flow.write_text(
        "def flow(page):\n"
        "    page.get_by_role('button', name='Sign in').click()\n"
        "    page.wait_for_selector('#status[data-state=done]')\n"
        "    raise RuntimeError('stop here')\n"
    )
    code = main(["record", str(CHECKOUT / "good.html"), "--out", str(out),
                 "--script", str(flow), "--settle", "0"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and "the flow failed: RuntimeError: stop here" in one_error_line(err)
    partial = tmp_path / "existing.partial.jsonl"
    assert f"kept in {partial} ({out} is as it was)" in err
    assert out.read_text() == '{"seq": 1}\n'
    assert json.loads(partial.read_text().splitlines()[0])["method"] == "start"
    # (the flow module's __pycache__, where Python writes bytecode, is no file of ours)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "__pycache__") == [
        "existing.jsonl",
        "existing.partial.jsonl",
        "stops.py",
    ]


@pytest.mark.browser
def test_a_finished_recording_replaces_the_trace_not_a_linked_file(tmp_path, capsys):
    victim = tmp_path / "victim.jsonl"
    victim.write_text("precious\n")
    out = tmp_path / "trace.jsonl"
    out.symlink_to(victim)
    code = main(["record", str(CHECKOUT / "good.html"), "--out", str(out),
                 "--script", str(CHECKOUT / "flow.py"), "--settle", "0.2"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert victim.read_text() == "precious\n"
    assert not out.is_symlink()
    assert [json.loads(line)["method"] for line in out.read_text().splitlines()][0] == "start"
