"""``kustomer-contract record PAGE --out FILE.jsonl``: record a real page's SDK calls in Chromium.

The page (an HTML file, served from its folder, or a loopback URL) is opened in a fresh
Chromium context whose init script loads ``kustomer-recorder.js`` and installs it before any
script of the page runs, so every call on ``window.Kustomer`` (and on ``window.KustomerCore``,
core.js's headless SDK; each record names its object) is recorded: on the loader's stub (with
only ``start``) and on the SDK that replaces it. Each record is sent to Python
and written at once (and flushed) to a new file beside the output, so a crash loses nothing
seen; that file replaces the output only when the recording is done. A failed recording
leaves an earlier trace as it was and keeps its own records beside it (``trace.partial.jsonl``),
or at the output if it is new.

With ``--script FLOW.py`` a Playwright flow (a Python file defining ``flow(page)``, given the
sync Playwright ``Page``) runs once the page has loaded: sign in, fill a form, click through.
Then the recording waits ``--settle`` seconds for timers and callbacks and stops.

Only the page's top frame and its first document are recorded: a navigation away (a new
document) is reported, and what that document does is not written, since a trace is one
page's session. Uncaught page errors are reported as warnings; the records stay.

Exit codes: 0 the trace was written; 2 a usage or input error, a missing browser, a failing
flow, a page that did not load, or a crash of the page or the browser (the records captured
until then are kept, as said above). Check the trace with ``kustomer-contract trace FILE.jsonl``
(``--binding core`` for a core.js page).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._core.safe_write import AtomicFile
from ..drivers import browser as _browser
from .trace import recorder_path

__all__ = [
    "EXIT_OK",
    "EXIT_USAGE",
    "RecordError",
    "RecordResult",
    "record_page",
    "run",
]

from .._core.text import one_line as _one_line
from ..errors import EXIT_OK, EXIT_USAGE, KustomerContractError, print_error

BINDING = "__kustomerContractRecord"

# Runs in every frame of the context before the page's own scripts: the recorder's source is
# put in front of this. Only a top frame records; each document says hello first (its id and
# URL) so Python can tell the recorded document from a later one.
_INSTALL = """
;(function () {
  var send = window.%(binding)s;
  var doc = Math.random().toString(36).slice(2) + "-" + Date.now().toString(36);
  function post(kind, text) {
    try {
      var pending = (window.%(binding)s || send)(doc, kind, text);
      if (pending && typeof pending.catch === "function") pending.catch(function () {});
    } catch (e) {
      /* recording must never break the page */
    }
  }
  var sent = 0;
  post("hello", String(location.href));
  KustomerRecorder.install(function (line) {
    sent += 1;
    post("record", line);
  });
  Object.defineProperty(window, "%(binding)sSent", {
    configurable: true,
    get: function () { return [doc, sent]; },
  });
})();
"""


@dataclass
class RecordResult:
    """What one recording wrote and saw."""

    out: Path
    url: str = ""
    records: int = 0  # records written to ``out``
    page_errors: list[str] = field(default_factory=list)  # uncaught exceptions, one line each
    navigated_to: list[str] = field(default_factory=list)  # URLs of later documents (not recorded)
    ignored: int = 0  # records of other documents or pages, not written
    seconds: float = 0.0

    @property
    def warnings(self) -> list[str]:
        """One line for each thing the user should know about (no error)."""
        found = [f"page error: {e}" for e in self.page_errors]
        if self.navigated_to:
            found.append(
                f"the page navigated away to {self.navigated_to[0]}: only the first "
                "document's calls are recorded"
                + (f" ({self.ignored} later records not written)" if self.ignored else "")
            )
        elif self.ignored:
            found.append(f"{self.ignored} records from other pages (popups) were not written")
        if self.records == 0:
            found.append(
                "no Kustomer calls were recorded: does the page set window.Kustomer (or "
                "window.KustomerCore) and call it (perhaps only after a click: give a --script "
                "flow)?"
            )
        return found


class RecordError(KustomerContractError):
    """The recording could not be made or finished (exit code 2).

    ``result`` holds what was recorded until then (None when nothing was opened yet).
    """

    def __init__(self, message: str, result: RecordResult | None = None) -> None:
        super().__init__(message)
        self.result = result


def _records(n: int) -> str:
    return f"{n} record{'' if n == 1 else 's'}"


def _first_line(text: object) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return _one_line(lines[0]) if lines else ""


# ---------------------------------------------------------------------------
# Checking the input before anything is written


def _check_number(name: str, value: float, minimum: float, inclusive: bool) -> None:
    ok = (value >= minimum if inclusive else value > minimum) and math.isfinite(value)
    if not ok:
        bound = f"at least {minimum:g}" if inclusive else f"above {minimum:g}"
        raise RecordError(f"{name} must be a number of seconds {bound}, not {value}")


def _load_flow(script: Path) -> Callable[[Any], Any]:
    """The ``flow`` function of a flow file, or RecordError naming the file."""
    if not script.is_file():
        raise RecordError(f"{script}: no such flow file")
    name = f"kustomer_contract_flow_{abs(hash(str(script.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, script)
    if spec is None or spec.loader is None:
        raise RecordError(f"{script}: cannot be loaded as a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look the module up
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code: any error is theirs to see
        sys.modules.pop(name, None)
        raise RecordError(
            f"{_where(script, exc)}: cannot load the flow: {type(exc).__name__}: {_first_line(exc)}"
        ) from None
    flow = getattr(module, "flow", None)
    if not callable(flow):
        raise RecordError(f"{script}: defines no flow(page) function to run")
    return flow


def _where(script: Path, exc: BaseException) -> str:
    """``FILE:LINE`` of the innermost frame of the flow file in the exception's traceback."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"{script}:{exc.lineno}"
    target = str(script.resolve())
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        try:
            if str(Path(frame.filename).resolve()) == target:
                line = frame.lineno
        except (OSError, ValueError):
            continue
    return f"{script}:{line}" if line else str(script)


def _check_out(out: Path, others: list[Path]) -> None:
    if out.is_dir():
        raise RecordError(f"--out {out}: is a folder; give a file such as {out / 'trace.jsonl'}")
    resolved = out.resolve()
    for other in others:
        if resolved == other.resolve():
            raise RecordError(f"--out {out}: is the page or flow itself; give another file")


# ---------------------------------------------------------------------------
# Recording


class _Sink:
    """Receives the page's messages and appends the recorded document's records to the file."""

    def __init__(self, handle: Any, result: RecordResult) -> None:
        self.handle, self.result = handle, result
        self.page: Any = None
        self.doc: str | None = None  # the recorded document
        self.other_docs: set[str] = set()

    def __call__(self, source: Any, doc: Any = None, kind: Any = None, text: Any = None) -> None:
        if not isinstance(source, dict) or source.get("page") is not self.page:
            if kind == "record":
                self.result.ignored += 1
            return
        doc, text = str(doc), str(text)
        if kind == "hello":
            if self.doc is None and text.startswith(("http:", "https:")):
                self.doc = doc  # the first real document (not the initial about:blank)
            elif self.doc is not None and doc != self.doc and doc not in self.other_docs:
                self.other_docs.add(doc)
                self.result.navigated_to.append(text)
            return
        if kind != "record" or self.handle.closed:
            return
        if doc != self.doc:
            if self.doc is not None:
                self.result.ignored += 1
            return
        self.handle.write(text.replace("\r", " ").replace("\n", " ") + "\n")
        self.handle.flush()
        self.result.records += 1


def record_page(
    page: str,
    out: Path,
    script: Path | None = None,
    settle: float = 1.0,
    timeout: float = 30.0,
    *,
    browser: Any = None,
) -> RecordResult:
    """Record the Kustomer calls of ``page`` (an HTML file or a loopback URL) into ``out``.

    ``script``: a Python file defining ``flow(page)``, run on the loaded page. ``settle``:
    seconds to wait after the load and the flow. ``timeout``: seconds for the page to load
    and for each Playwright action of the flow. ``browser``: an already launched Playwright
    ``Browser`` to use (sync API); by default Chromium is launched and closed here.

    Raises RecordError (input, flow, load or crash problems; ``.result`` holds what was
    recorded) or ``browser.BrowserUnavailable``. Nothing is written before the input checks
    pass; after that records are appended and flushed as they arrive.
    """
    out, page = Path(out), str(page)
    script = Path(script) if script is not None else None
    _check_number("--settle", settle, 0, inclusive=True)
    _check_number("--timeout", timeout, 0, inclusive=False)
    flow = _load_flow(script) if script is not None else None
    page_file = Path(page) if "://" not in page else None
    _check_out(out, [p for p in (page_file, script) if p is not None])
    recorder_js = recorder_path().read_text(encoding="utf-8")
    served = _browser.serve(page)  # BrowserUnavailable: no such file, not loopback
    try:
        if browser is not None:
            return _record(browser, served.url, out, script, flow, settle, timeout, recorder_js)
        options = _browser.launch_options()  # BrowserUnavailable: no Playwright or Chromium
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                try:
                    launched = playwright.chromium.launch(**options, timeout=timeout * 1000)
                except PlaywrightError as exc:
                    raise _browser.BrowserUnavailable(
                        f"cannot launch Chromium ({options['executable_path']}): "
                        f"{_first_line(exc.message)}"
                    ) from None
                try:
                    return _record(
                        launched, served.url, out, script, flow, settle, timeout, recorder_js
                    )
                finally:
                    try:
                        launched.close()
                    except PlaywrightError:
                        pass  # already gone (a crash, reported by _record)
        except PlaywrightError as exc:  # e.g. the sync API inside a running asyncio loop
            raise RecordError(f"Playwright: {_first_line(exc.message)}") from None
    finally:
        served.close()


def _record(
    browser: Any,
    url: str,
    out: Path,
    script: Path | None,
    flow: Callable[[Any], Any] | None,
    settle: float,
    timeout: float,
    recorder_js: str,
) -> RecordResult:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.monotonic()
    result = RecordResult(out=out, url=url)
    state = {"crashed": False, "disconnected": False}

    def kept() -> str:  # filled in by _keep once the records are where they stay
        return "; " + _KEPT

    def on_disconnect(_: Any) -> None:
        state["disconnected"] = True

    browser.on("disconnected", on_disconnect)

    def failure(what: str, exc: BaseException | None = None) -> RecordError:
        result.seconds = time.monotonic() - started
        if state["disconnected"] or not browser.is_connected():
            return RecordError(f"the browser closed unexpectedly while {what}{kept()}", result)
        if state["crashed"] or "crashed" in str(getattr(exc, "message", "")):
            return RecordError(f"the page crashed while {what}{kept()}", result)
        detail = f": {_first_line(getattr(exc, 'message', exc))}" if exc is not None else ""
        return RecordError(f"browser error while {what}{detail}{kept()}", result)

    try:
        context = browser.new_context()
    except PlaywrightError as exc:
        error = failure("opening a context", exc)
        raise RecordError(str(error).replace(_KEPT, f"{out} was not touched")) from None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        trace = AtomicFile(out)
    except OSError as exc:
        context.close()
        raise RecordError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
    sink = _Sink(trace.stream, result)
    try:
        try:
            context.set_default_timeout(timeout * 1000)
            context.set_default_navigation_timeout(timeout * 1000)
            context.expose_binding(BINDING, sink)
            context.add_init_script(
                script="if (window.top === window) {\n"
                + recorder_js
                + _INSTALL % {"binding": BINDING}
                + "\n}\n"
            )
            tab = context.new_page()
        except PlaywrightError as exc:
            raise failure("opening the page", exc) from None
        sink.page = tab

        def on_crash(_: Any) -> None:
            state["crashed"] = True

        tab.on("crash", on_crash)
        tab.on(
            "pageerror", lambda error: result.page_errors.append(_browser.page_error_text(error))
        )

        try:
            tab.goto(url, wait_until="load")
        except PlaywrightTimeout:
            raise RecordError(
                f"{url} did not load within {timeout:g} s (--timeout); {kept()[2:]}",
                result,
            ) from None
        except PlaywrightError as exc:
            if state["crashed"] or state["disconnected"] or not browser.is_connected():
                raise failure("loading the page") from None
            raise RecordError(
                f"{url} could not be loaded: {_first_line(exc.message)}; {kept()[2:]}",
                result,
            ) from None

        if flow is not None:
            assert script is not None
            try:
                flow(tab)
            except (Exception, SystemExit) as exc:
                if isinstance(exc, PlaywrightError) and not tab.is_closed():
                    _let_events_arrive(tab)  # a crash is reported after the failed action
                if state["crashed"] or state["disconnected"] or not browser.is_connected():
                    raise failure(f"running the flow {script}") from None
                raise RecordError(
                    f"{_where(script, exc)}: the flow failed: {type(exc).__name__}: "
                    f"{_first_line(getattr(exc, 'message', None) or exc) or '(no message)'}; "
                    f"{kept()[2:]}",
                    result,
                ) from None

        try:
            if state["crashed"] or state["disconnected"] or not browser.is_connected():
                raise failure("running the flow" if flow is not None else "loading the page")
            if not tab.is_closed():
                if settle > 0:
                    tab.wait_for_timeout(settle * 1000)
                _drain(tab, sink)
            if state["crashed"]:
                raise failure("waiting for the page to settle")
        except PlaywrightError as exc:
            raise failure("waiting for the page to settle", exc) from None
    except BaseException as exc:
        _close(context, browser, on_disconnect)
        where = _keep(trace, result, done=False)
        if isinstance(exc, RecordError):
            raise RecordError(str(exc).replace(_KEPT, where), exc.result) from None
        exc.kustomer_kept = where  # type: ignore[attr-defined] # for an interrupt's message
        raise
    _close(context, browser, on_disconnect)
    _keep(trace, result, done=True)
    result.seconds = time.monotonic() - started
    return result


_KEPT = "\0kept\0"  # in a failure's message: where its records are (see _keep)


def _close(context: Any, browser: Any, on_disconnect: Any) -> None:
    from playwright.sync_api import Error as PlaywrightError

    try:
        context.close()  # records still in flight may arrive here: the file is open
    except PlaywrightError:
        pass
    browser.remove_listener("disconnected", on_disconnect)


def _keep(trace: AtomicFile, result: RecordResult, done: bool) -> str:
    """Put the new trace where it belongs; says where its records are.

    Done: it replaces ``out``. Failed: its records are kept at ``out`` if ``out`` is new,
    and beside it (``trace.partial.jsonl``) if ``out`` holds an earlier trace, which stays
    as it was; with no records, no file is left.
    """
    out = result.out
    try:
        if done or trace.is_stream:
            trace.commit()
            return f"{_records(result.records)} written to {out}"
        if result.records == 0:
            trace.discard()
            state = "is as it was" if os.path.lexists(out) else "was not written"
            return f"nothing was recorded; {out} {state}"
        if not os.path.lexists(out) and trace.commit_new(out):
            return f"{_records(result.records)} kept in {out}"
        for _ in range(3):  # a name taken meanwhile: take the next one
            beside = _free_name(out)
            if trace.commit_new(beside):
                return f"{_records(result.records)} kept in {beside} ({out} is as it was)"
        return f"{_records(result.records)} kept in {trace.tmp} ({out} is as it was)"
    except OSError as exc:
        trace.discard()
        if done:
            raise RecordError(
                f"--out {out}: cannot write the trace: {exc.strerror or exc}; {out} is as it was",
                result,
            ) from None
        return f"the records could not be kept ({exc.strerror or exc}); {out} is as it was"


def _free_name(out: Path) -> Path:
    """``trace.partial.jsonl`` beside ``trace.jsonl`` (or -2, -3, ...): a name not taken."""
    for n in range(1, 1000):
        tail = ".partial" if n == 1 else f".partial-{n}"
        candidate = out.with_name(out.stem + tail + out.suffix)
        if not os.path.lexists(candidate):
            return candidate
    return out.with_name(out.name + f".partial-{time.time_ns()}")


def _let_events_arrive(tab: Any) -> None:
    from playwright.sync_api import Error as PlaywrightError

    try:  # answered at once by a live page; a crashed one fails it once the crash is known
        tab.wait_for_function("true", timeout=2000)
    except PlaywrightError:
        pass


def _drain(tab: Any, sink: _Sink, wait: float = 1.0) -> None:
    """Wait (briefly) until every record the recorded document sent has been written."""
    deadline = time.monotonic() + wait
    while True:
        sent = tab.evaluate(f"window.{BINDING}Sent || null")  # a round trip also delivers
        if not isinstance(sent, list) or len(sent) != 2 or sent[0] != sink.doc:
            return  # another document by now: nothing more of ours can arrive
        if sink.result.records >= sent[1] or time.monotonic() > deadline:
            return
        tab.wait_for_timeout(20)


# ---------------------------------------------------------------------------
# The command


def _error(message: str) -> None:
    print_error(message)


def _warn(result: RecordResult | None) -> None:
    for text in result.warnings if result is not None else ():
        print(f"kustomer-contract: warning: {_one_line(text)}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """Run ``record`` for parsed arguments; returns the exit code."""
    try:
        result = record_page(
            args.page, args.out, script=args.script, settle=args.settle, timeout=args.timeout
        )
    except RecordError as exc:
        if exc.result is not None:
            for text in exc.result.page_errors:
                print(f"kustomer-contract: warning: page error: {text}", file=sys.stderr)
        _error(str(exc))
        return EXIT_USAGE
    except _browser.BrowserUnavailable as exc:
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        _error(f"interrupted; {getattr(exc, 'kustomer_kept', f'{args.out} is as it was')}")
        return 130
    _warn(result)
    try:
        print(
            f"kustomer-contract record: {_records(result.records)} "
            f"from {result.url} written to {result.out} in {result.seconds:.1f} s; "
            f"check it with: kustomer-contract trace {shlex.quote(str(result.out))}"
        )
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stderr.close()
    return EXIT_OK
