"""The caller's side learns the binding's surfaces (issue 15).

- the specs list the SDK's methods (``sdk_methods``), read afresh when the file changes;
- the recorder records ``KustomerCore`` as well as ``Kustomer``, each record naming its object,
  and the settling of a Promise a call returns;
- ``trace --binding web|core|promise|PATH`` judges start-first against the binding's start
  (``KustomerCore.init`` for core) and the other rules with the binding's names;
- ``known-method``: a call (or a failed lookup) of a method the SDK does not have, with a
  did-you-mean from the spec's ``sdk_methods``;
- a lookup of a documented SDK method on the loader's stub before start breaks start-first.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kustomer_contract.callers import trace
from kustomer_contract.cli import trace as trace_command
from kustomer_contract.spec import loader
from kustomer_contract.spec.bindings import load_binding
from kustomer_contract.spec.types import SpecError

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "trace_scripts"
RECORDER = trace.recorder_path()
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not on PATH")

# domain/kustomer.md, "The Web SDK": the methods, isLoggedIn from the JWT guide.
DOCUMENTED = (
    "start stop open close login logout describeCustomer describeConversation addListener "
    "removeListener isChatAvailable createConversation openConversationById "
    "getOpenConversations openKbArticle openKbCategory getUnreadCount isLoggedIn"
).split()


def run_trace(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="kustomer-contract")
    trace_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["trace", *argv])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = trace.run(args)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, *items: dict, name: str = "trace.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return path


def call(seq: int, method: str, *args, obj: str | None = None) -> dict:
    r = {"t": seq, "seq": seq, "event": "call", "method": method, "args": list(args)}
    return {**r, "object": obj} if obj else r


def back(seq: int, of: int, method: str, obj: str | None = None, event: str = "callback") -> dict:
    r = {"t": seq, "seq": seq, "event": event, "method": method, "call": of, "response": {}}
    return {**r, "object": obj} if obj else r


def missing(seq: int, method: str, obj: str | None = None) -> dict:
    r = {"t": seq, "seq": seq, "event": "missing", "method": method}
    return {**r, "object": obj} if obj else r


def findings(output: str) -> list[tuple[int, str]]:
    found = []
    for text in output.splitlines():
        m = re.match(r"^.*?:(\d+): ([a-z-]+): ", text)
        if m and m.group(2) not in ("malformed record",):
            found.append((int(m.group(1)), m.group(2)))
    return found


def record(script: str, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / f"{Path(script).stem}{'-'.join(('', *extra))}.jsonl"
    proc = subprocess.run(
        ["node", str(SCRIPTS / script), str(out), str(RECORDER), *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stdout + proc.stderr
    return out


def lines(path: Path) -> list[dict]:
    return [json.loads(t) for t in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------------------
# The spec's list of SDK methods


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_the_bundled_specs_list_the_documented_sdk_methods(version):
    assert loader.load_spec(version).sdk_methods == tuple(DOCUMENTED)


def test_the_recorder_knows_the_same_methods():
    """The recorder's list (which lookups are always recorded) is the spec's, plus core's init."""
    source = RECORDER.read_text(encoding="utf-8")
    block = re.search(r"var SDK_METHODS = \[(.*?)\];", source, re.S)
    assert block is not None
    assert re.findall(r'"([A-Za-z]+)"', block.group(1)) == [*DOCUMENTED, "init"]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("KUSTOMER_CONTRACT_CACHE_DIR", str(folder))
    loader._load_spec.cache_clear()
    yield folder
    loader._load_spec.cache_clear()


def _spec_copy(tmp_path: Path) -> Path:
    target = tmp_path / "spec"
    shutil.copytree(loader.specs_dir() / "v1", target)
    return target / "contract.yaml"


def test_a_changed_list_is_read_afresh_through_the_disk_cache(tmp_path, cache_dir):
    path = _spec_copy(tmp_path)
    assert loader.load_spec(str(path)).sdk_methods == tuple(DOCUMENTED)
    assert any(cache_dir.iterdir())  # stored
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("getUnreadCount, isLoggedIn]", "getUnreadCount]"), "utf-8")
    loader._load_spec.cache_clear()
    assert loader.load_spec(str(path)).sdk_methods == tuple(DOCUMENTED[:-1])


def test_a_spec_without_the_list_loads_with_none_and_judges_no_names(tmp_path, cache_dir):
    path = _spec_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    start = text.index("sdk_methods:")
    end = text.index("isLoggedIn]", start) + len("isLoggedIn]")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    spec = loader.load_spec(str(path))
    assert spec.sdk_methods == ()
    assert trace.KNOWN_METHOD not in trace.obligations(spec)
    recs, _ = trace.parse_trace(
        [json.dumps(call(1, "start", {})), json.dumps(back(2, 1, "start")),
         json.dumps(call(3, "addEventListener", "onOpen"))]
    )  # fmt: skip
    assert trace.check_records(recs, spec) == []


def test_a_bad_list_is_refused_at_its_line(tmp_path, cache_dir):
    path = _spec_copy(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("sdk_methods: [start,", "sdk_methods: [start, 3,"), "utf-8")
    with pytest.raises(SpecError) as caught:
        loader.load_spec(str(path))
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "sdk_methods" in t)
    assert caught.value.line == line and caught.value.key == "/sdk_methods/1"


# ---------------------------------------------------------------------------
# known-method


def test_a_call_of_a_method_the_sdk_lacks_is_flagged_with_a_did_you_mean(tmp_path):
    path = write(
        tmp_path,
        call(1, "start", {}, "[function]"),
        back(2, 1, "start"),
        call(3, "addEventListener", "onOpen", "[function]"),
        call(4, "addListener", "onOpen", "[function]"),
    )
    code, out, err = run_trace(str(path))
    assert (code, err) == (1, "")
    assert findings(out) == [(3, "known-method")]
    assert out.splitlines()[0] == (
        f"{path}:3: known-method: Kustomer.addEventListener was called, but Kustomer has no "
        "method addEventListener (did you mean addListener?); call Kustomer.addListener(...) "
        "instead"
    )
    code, out, _ = run_trace("--json", str(path))
    (v,) = json.loads(out)["files"][0]["violations"]
    assert (v["line"], v["obligation"], v["method"]) == (3, "known-method", "addEventListener")
    assert json.loads(out)["binding"] == "web"


def test_a_name_like_no_sdk_method_lists_them_when_called_and_is_ignored_when_looked_up(tmp_path):
    path = write(
        tmp_path,
        call(1, "start", {}, "[function]"),
        back(2, 1, "start"),
        call(3, "fooBar"),
        missing(4, "xyzzy"),  # a lookup of some other code's: nothing to say
    )
    code, out, _ = run_trace(str(path))
    assert code == 1
    assert findings(out) == [(3, "known-method")]
    assert "(its methods are addListener, close, createConversation, describeConversation, " in out


def test_a_failed_lookup_of_a_near_name_is_flagged(tmp_path):
    path = write(tmp_path, call(1, "start", {}, "[function]"), back(2, 1, "start"),
                 missing(3, "describeCustomers"))  # fmt: skip
    code, out, _ = run_trace(str(path))
    assert (code, findings(out)) == (1, [(3, "known-method")])
    assert "so a call throws a TypeError in the page (did you mean describeCustomer?)" in out


def test_an_unknown_call_before_start_is_one_finding_not_two(tmp_path):
    path = write(tmp_path, call(1, "addEventListener", "onOpen"), call(2, "start", {}))
    assert findings(run_trace(str(path))[1]) == [(1, "known-method")]


# ---------------------------------------------------------------------------
# A lookup on the loader's stub, before start, of any documented SDK method


def test_a_lookup_of_a_documented_method_before_start_breaks_start_first(tmp_path):
    path = write(tmp_path, call(1, "start", {}, "[function]"), missing(2, "openKbArticle"),
                 back(3, 1, "start"), missing(4, "isLoggedIn"))  # fmt: skip
    code, out, _ = run_trace(str(path))
    assert code == 1
    assert findings(out) == [(2, "start-first")]  # after start's callback: not the page's fault
    assert (
        f"{path}:2: start-first: openKbArticle was looked up before start's callback ran, and "
        "the SDK object did not have it yet (a loader's stub): a call then throws a TypeError "
        "in the page and does nothing (start was called at line 1; its callback ran only at "
        "line 3)"
    ) in out


# ---------------------------------------------------------------------------
# --binding


def test_core_init_first_passes_and_start_is_flagged(tmp_path):
    good = write(
        tmp_path,
        call(1, "init", {}, "[function]", obj="KustomerCore"),
        back(2, 1, "init", obj="KustomerCore"),
        call(3, "describeCustomer", {}, "[function]", obj="KustomerCore"),
        name="good.jsonl",
    )
    code, out, err = run_trace("--binding", "core", str(good))
    assert (code, findings(out), err) == (0, [], ""), out
    bad = write(
        tmp_path,
        call(1, "start", {}, "[function]", obj="KustomerCore"),
        call(2, "describeCustomer", {}, "[function]", obj="KustomerCore"),
        back(3, 1, "start", obj="KustomerCore"),
        name="bad.jsonl",
    )
    code, out, _ = run_trace("--binding", "core", str(bad))
    assert code == 1
    assert findings(out) == [(1, "known-method"), (2, "start-first")]
    first, second = out.splitlines()[:2]
    assert first == (
        f"{bad}:1: known-method: KustomerCore.start was called, but KustomerCore has no method "
        "start (the core binding's start is KustomerCore.init); call KustomerCore.init(...) "
        "instead"
    )
    assert second.startswith(
        f"{bad}:2: start-first: describeCustomer was called before init's callback ran "
        "(init is never called in this trace); call init first"
    )
    assert second.endswith("KustomerCore.init({}, () => KustomerCore.describeCustomer(...))")


def test_core_rules_use_the_core_names(tmp_path, v1):
    recs, _ = trace.parse_trace(
        json.dumps(r)
        for r in (
            call(1, "init", {}, "[function]"),  # no "object": the binding's
            back(2, 1, "init"),
            call(3, "login", {"jwtToken": "t"}, "[function]"),
            call(4, "describeCustomer", {}),
        )
    )
    found = trace.check_records(recs, v1, binding=load_binding("core", v1))
    assert [(v.line, v.obligation) for v in found] == [(4, "describe-after-login")]
    assert "KustomerCore.login({jwtToken}, () => KustomerCore.describeCustomer(...))" in (
        found[0].message
    )
    # The same records judged as the Web SDK's: init is no method of Kustomer.
    found = trace.check_records(recs, v1)
    assert [(v.line, v.obligation) for v in found][:2] == [(1, "known-method"), (3, "start-first")]


def test_records_on_another_global_are_not_checked_and_the_binding_is_named(tmp_path):
    path = write(tmp_path, call(1, "init", {}, obj="KustomerCore"), back(2, 1, "init", obj="KustomerCore"),
                 call(3, "describeCustomer", {}, obj="KustomerCore"))  # fmt: skip
    code, out, _ = run_trace(str(path))
    assert code == 2
    assert findings(out) == []
    assert (
        f"{path}:1: not checked: 3 records on KustomerCore, which the web binding does not call "
        "(its object is Kustomer), are not checked: give --binding core"
    ) in out


def test_promise_binding_completes_a_call_when_its_promise_settles(tmp_path):
    path = write(
        tmp_path,
        call(1, "start", {}),
        call(2, "describeCustomer", {}),
        back(3, 1, "start", event="settle"),
        call(4, "login", {"jwtToken": "t"}),
        back(5, 4, "login", event="settle"),
        call(6, "describeCustomer", {}),
    )
    code, out, _ = run_trace("--binding", "promise", str(path))
    assert (code, findings(out)) == (1, [(2, "start-first")])
    assert (
        "describeCustomer was called before start's promise settled (start was called at line "
        "1; its promise settled only at line 3); call it once start's promise has resolved: "
        "Kustomer.start({}).then(() => Kustomer.describeCustomer(...))"
    ) in out
    assert run_trace(str(path))[0] == 1  # as the Web SDK's: no callback ever ran


def test_a_binding_file_by_path_and_a_bad_binding(tmp_path):
    binding = tmp_path / "mine.yaml"
    binding.write_text(
        "binding: mine\nobject: MyKustomer\ncalls:\n  start: {method: boot}\n", encoding="utf-8"
    )
    path = write(tmp_path, call(1, "boot", {}, "[function]", obj="MyKustomer"),
                 back(2, 1, "boot", obj="MyKustomer"), call(3, "describeCustomer", {}, obj="MyKustomer"))  # fmt: skip
    assert run_trace("--binding", str(binding), str(path))[0] == 0
    code, _, err = run_trace("--binding", str(tmp_path / "nowhere.yaml"), str(path))
    assert code == 2 and "no such binding" in err and "Traceback" not in err


def test_an_object_field_that_is_not_a_name_is_malformed(tmp_path):
    path = write(tmp_path, {**call(1, "start", {}), "object": 3})
    code, out, _ = run_trace(str(path))
    assert code == 2 and '"object" must be the name of the global called' in out


# ---------------------------------------------------------------------------
# The recorder, in Node


@needs_node
def test_recorded_core_integration_passes_with_the_core_binding(tmp_path):
    path = record("core_init_first.mjs", tmp_path)
    assert {r["object"] for r in lines(path)} == {"KustomerCore"}
    assert [r["method"] for r in lines(path) if r["event"] == "call"] == [
        "init",
        "describeCustomer",
    ]
    code, out, _ = run_trace("--binding", "core", str(path))
    assert (code, findings(out)) == (0, []), out


@needs_node
def test_recorded_kustomercore_start_is_flagged(tmp_path):
    path = record("core_init_first.mjs", tmp_path, "bad")
    line = next(i for i, r in enumerate(lines(path), 1) if r["event"] == "missing")
    assert lines(path)[line - 1]["method"] == "start"
    code, out, _ = run_trace("--binding", "core", str(path))
    assert (code, findings(out)) == (1, [(line, "known-method")]), out
    assert "the core binding's start is KustomerCore.init" in out


@needs_node
def test_recorded_add_event_listener_is_flagged(tmp_path):
    path = record("bad_add_event_listener.mjs", tmp_path)
    kinds = [(r["event"], r["method"]) for r in lines(path)]
    assert kinds[3:] == [("missing", "addEventListener"), ("call", "addEventListener")]
    code, out, _ = run_trace(str(path))
    assert (code, findings(out)) == (1, [(4, "known-method"), (5, "known-method")]), out
    assert out.count("did you mean addListener?") == 2


@needs_node
@pytest.mark.parametrize("mode, expected", [("good", []), ("bad", [(2, "start-first")])])
def test_recorded_promise_surface(tmp_path, mode, expected):
    path = record("promise_surface.mjs", tmp_path, mode)
    settles = [r for r in lines(path) if r["event"] == "settle"]
    assert settles and all(r["object"] == "Kustomer" for r in settles)
    if mode == "good":
        assert settles[-1]["method"] == "logout"
        assert settles[-1]["error"] == {"name": "Error", "message": "not signed in"}
    code, out, _ = run_trace("--binding", "promise", str(path))
    assert (code, findings(out)) == (1 if expected else 0, expected), out


@needs_node
def test_install_with_one_name_still_records_only_that_global(tmp_path):
    script = tmp_path / "one.mjs"
    script.write_text(
        f"await import({json.dumps(RECORDER.as_uri())});\n"
        "const seen = [];\n"
        "KustomerRecorder.install((l) => seen.push(JSON.parse(l)), 'Kustomer');\n"
        "globalThis.KustomerCore = { init() {} };\n"
        "globalThis.Kustomer = { start() {} };\n"
        "KustomerCore.init(); Kustomer.start();\n"
        "console.log(JSON.stringify(seen.map((r) => [r.object, r.method])));\n",
        encoding="utf-8",
    )
    proc = subprocess.run(["node", str(script)], capture_output=True, text=True, timeout=60)
    assert json.loads(proc.stdout) == [["Kustomer", "start"]], proc.stderr


def test_unchanged_web_default_names_without_a_binding(v1):
    """check_records without a binding is the Web SDK's surface."""
    surface = trace.surface_of(v1)
    assert (surface.object, surface.binding, surface.names["start"]) == ("Kustomer", "web", "start")
    assert trace.surface_of(v1, load_binding("core", v1)).names["start"] == "init"
    assert "start" not in trace.surface_of(v1, load_binding("core", v1)).known
    assert v1._replace(sdk_methods=()).sdk_methods == ()
