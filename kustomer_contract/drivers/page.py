"""Drive an implementation that lives in a web page: ``PageDriver(page, spec, klass, label,
binding=...)``.

The page (a loopback URL, or an HTML file served from its folder) defines the SDK as
``window.Kustomer``; the driver opens it in Chromium (Playwright, the system's executable, see
``kustomer_contract.browser``) and runs the same calls as the other drivers through it. The
binding (the web binding unless given) names that global (``window.KustomerCore`` for the core
binding, its factory then ``window.createKustomerCore``), the methods' names (dotted paths
allowed), the setup calls made on every fresh instance and how results come back (a callback,
or a returned Promise / value awaited in the page for the runner's ``Settles``).

Each case gets a fresh SDK object, found in this order and reported as ``PageDriver.shape``:

- ``window.createKustomer`` (a factory the page exposes, called with ``{klass: [names]}`` when
  a Klass is given): called once per case in the same page, which is fast;
- ``window.Kustomer``: the page is loaded again for every case, as a visitor's new page view
  would, so nothing leaks from one case into the next.

The driver's own script (js_host.cjs plus a small bridge) is added before any page script runs;
callbacks come back through a Playwright binding. Playwright's asyncio API runs on a thread of
its own, so its event loop keeps delivering callbacks while the runner waits. A method that
never returns blocks the page: after the timeout the page is closed (a new one is opened for
the next case) and the call is reported as hung. A crash of the page or the browser, or the
page navigating away, is reported as the call raising ``PageGone``; a page that never defines
``window.Kustomer`` (or throws while loading) raises ``ImplementationError`` from
``new_instance``, with the page's errors.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import json
import threading
import weakref
from pathlib import Path
from typing import Any

from ..spec.bindings import Binding, load_binding
from ..spec.types import Klass, Spec
from .base import Call, ImplementationError, Returned
from .js_values import Handles, calls_request, returned_all, run_setup

HOST_SCRIPT = Path(__file__).with_name("js_host.cjs")
LOAD_TIMEOUT = 15.0  # seconds for the page to load and define the SDK
CLOSE_TIMEOUT = 5.0  # seconds for closing a page whose script is stuck
DIAGNOSIS_TIMEOUT = 2.0  # seconds to look at what a page defined, when it lacks the SDK
# Starting Chromium is the machine's time, not the page's: it has its own bound, so a slow
# start on a loaded machine is not read as a page that failed to load.
LAUNCH_TIMEOUT = 60.0
# The bridge between js_host.cjs and the Playwright binding, for the global OBJECT (the
# binding's object, put in by bridge()); the factory, window.create<OBJECT>, is preferred
# (no reload).
BRIDGE = """
(function (G, OBJECT) {
  if (G.__kustomerContractBridge) return;
  var FACTORY = "create" + OBJECT;
  var shape = null;
  function post(message) {
    try { G.__kustomerContractPost(JSON.stringify(message)); } catch (e) { /* page closing */ }
  }
  function fresh(klass, klasses, spec) {
    var args = klass || (spec && spec !== "v1")
      ? [{ klass: klass, klasses: klasses || {}, spec: spec }] : [];
    if (typeof G[FACTORY] === "function") {
      shape = "window." + FACTORY + " (a fresh SDK per case, same page)";
      return G[FACTORY].apply(null, args);
    }
    shape = "window." + OBJECT + " (the page is loaded again for every case)";
    return G[OBJECT];
  }
  var host = G.__kustomerContractHost.createHost(post, fresh, function () { return shape; });
  G.__kustomerContractBridge = {
    handle: function (m, required) {
      return host.handle(m, required).then(function (reply) {
        return JSON.stringify({ reply: reply, shape: shape });
      });
    },
  };
})(globalThis, OBJECT_NAME);
"""


def bridge(obj: str) -> str:
    return BRIDGE.replace("OBJECT_NAME", json.dumps(obj))


# Whether a dotted path names a function on o (for the page scripts below).
FUNCTION_AT = """const fnAt = (o, path) => {
    try {
      for (const part of path.split(".")) {
        if (o === null || (typeof o !== "object" && typeof o !== "function")) return false;
        o = o[part];
      }
      return typeof o === "function";
    } catch (e) { return false; }
  };"""
READY = (
    "([required, object]) => {\n  "
    + FUNCTION_AT
    + """
  const ok = (o) => o && required.every((m) => fnAt(o, m));
  return typeof window["create" + object] === "function" || ok(window[object]);
}"""
)
HANDLE = "([m, r]) => window.__kustomerContractBridge.handle(m, r)"
LACKING = (
    "([required, object]) => {\n  "
    + FUNCTION_AT
    + """
  const k = window[object];
  return k == null ? null : required.filter((m) => !fnAt(k, m));
}"""
)


class PageGone(ImplementationError):
    """The page or the browser is gone (a crash, a navigation away) during or before a call."""


class PageInstance:
    """A handle on one SDK object living in a page."""

    def __init__(
        self, page: Any, number: int, has: frozenset[str], async_methods: tuple[str, ...] = ()
    ) -> None:
        self.page, self.number, self.has = page, number, has
        self.async_methods = async_methods  # the methods that are async functions

    def __repr__(self) -> str:
        return f"<PageInstance {self.number}>"


class PageDriver:
    """Calls the SDK's methods on a fresh object per case, in a page in headless Chromium."""

    language = "javascript"

    def __init__(
        self,
        page: str,
        spec: Spec,
        klass: Klass | None = None,
        label: str = "",
        load_timeout: float | None = None,
        binding: Binding | None = None,
    ) -> None:
        from . import browser

        self.spec, self.klass = spec, klass
        self.binding = binding or load_binding()
        self.object = self.binding.object
        self.label = label or page
        self.load_timeout = load_timeout or LOAD_TIMEOUT
        self.shape: str | None = None
        # Uncaught errors of the page's scripts: message -> times seen (the run's summary),
        # and the latest few, numbered, for a page that fails to load.
        self.page_errors: collections.Counter[str] = collections.Counter()
        self._recent: collections.deque[tuple[int, str]] = collections.deque(maxlen=20)
        try:
            self._launch = browser.launch_options()
            self._served = browser.serve(page)
        except browser.BrowserUnavailable as exc:
            raise ImplementationError(f"--browser {page}: {exc}") from None
        self.url = self._served.url
        # The binding's names: required (non-optional methods), and all those asked about.
        surfaces = [(self.binding.surface(spec, m).method, m) for m in spec.methods.values()]
        self._required = [n for n, m in surfaces if not getattr(m, "optional", False)]
        self._methods = list(
            dict.fromkeys([n for n, _ in surfaces] + [s.method for s in self.binding.setup])
        )
        self._script = HOST_SCRIPT.read_text(encoding="utf-8") + bridge(self.object)
        self.handles = Handles()  # the callbacks and options the page refers to
        self._gone: dict[Any, str] = {}  # page -> why it is no longer usable
        self._navigating: set[Any] = set()  # pages the driver itself is loading
        self._playwright: Any = None
        self._browser: Any = None
        self._browser_gone = ""
        self._page: Any = None
        self._factory = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="kustomer-browser", daemon=True
        )
        self._thread.start()
        ref = weakref.ref(self)

        def shutdown_at_exit() -> None:
            if (d := ref()) is not None:
                d.shutdown()

        atexit.register(shutdown_at_exit)

    # --- the event loop thread -------------------------------------------------------------

    def _run(self, coro: Any, timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _ensure_browser(self) -> Any:
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        if self._playwright is None:
            from playwright.async_api import async_playwright

            self._playwright = await async_playwright().start()
        try:
            self._browser = await self._playwright.chromium.launch(**self._launch)
        except Exception as exc:  # noqa: BLE001 - Playwright's launch errors are the user's to read
            raise ImplementationError(f"{self.label}: cannot launch Chromium: {exc}") from None
        self._browser_gone = ""
        self._browser.on("disconnected", self._on_browser_gone)
        return self._browser

    def _on_browser_gone(self, _browser: Any) -> None:
        self._browser_gone = "the browser ended (it crashed or was closed)"

    async def _open_page(self) -> Any:
        browser = await self._ensure_browser()
        context = await browser.new_context()
        await context.add_init_script(script=self._script)
        await context.expose_binding("__kustomerContractPost", self._on_post)
        page = await context.new_page()
        page.on("pageerror", self._on_page_error)
        page.on("crash", lambda _page: self._gone.setdefault(page, "the page crashed"))
        page.on("framenavigated", lambda frame: self._on_navigated(page, frame))
        return page

    def _on_page_error(self, error: Any) -> None:
        from .browser import page_error_text

        text = page_error_text(error)[:300]
        self.page_errors[text] += 1
        self._recent.append((sum(self.page_errors.values()), text))

    def _on_navigated(self, page: Any, frame: Any) -> None:
        if frame is page.main_frame and page not in self._navigating:
            self._gone.setdefault(page, f"the page navigated away to {frame.url}")

    def _on_post(self, _source: Any, text: str) -> None:
        try:
            self.handles.receive(json.loads(text))
        except Exception:  # noqa: BLE001 - a probe's own error must not stop the loop
            pass

    async def _what_is_there(self, page: Any) -> str:
        """What the page has instead of the SDK, for the message of a load that timed out."""
        try:
            lacking = await asyncio.wait_for(
                page.evaluate(LACKING, [self._required, self.object]), DIAGNOSIS_TIMEOUT
            )
        except Exception:  # noqa: BLE001 - a stuck or closed page: say nothing more
            return ""
        if lacking is None:
            return f"; window.{self.object} is undefined"
        return f"; window.{self.object} lacks {', '.join(lacking)}" if lacking else ""

    async def _load(self, page: Any) -> None:
        """(Re)load the page and wait until it defines the SDK."""
        self._navigating.add(page)
        errors_before = sum(self.page_errors.values())
        try:
            await page.goto(
                self.url, wait_until="domcontentloaded", timeout=self.load_timeout * 1000
            )
            await page.wait_for_function(
                READY,
                arg=[self._required, self.object],
                timeout=self.load_timeout * 1000,
                polling=5,
            )
        except Exception as exc:  # noqa: BLE001 - timeouts and navigation errors alike
            errors = [text for number, text in self._recent if number > errors_before]
            said = f"; the page's errors: {' | '.join(errors[-3:])}" if errors else ""
            if "Timeout" in type(exc).__name__ or "Timeout" in str(exc):
                found = await self._what_is_there(page)
                raise ImplementationError(
                    f"{self.label}: the page did not define window.{self.object} with "
                    f"{', '.join(self._required)} (nor window.create{self.object}) within "
                    f"{self.load_timeout:g} s{found}{said}"
                ) from None
            raise ImplementationError(
                f"{self.label}: cannot load {self.url}: {exc}{said}"
            ) from None
        finally:
            self._navigating.discard(page)

    async def _new(self) -> tuple[Any, dict[str, Any]]:
        page = self._page
        if page is None or page in self._gone or page.is_closed() or self._browser_gone:
            page = self._page = await self._open_page()
            await self._load(page)
        elif not self._factory:
            await self._load(page)  # a fresh window.Kustomer: the next page view
        names = sorted(self.klass.attributes) if self.klass is not None else None
        others = {k: sorted(v) for k, v in self.klass.others} if self.klass is not None else None
        request = {
            "op": "new",
            "klass": names,
            "klasses": others,
            "spec": self.spec.name,
            "methods": self._methods,
        }
        answer = json.loads(await page.evaluate(HANDLE, [request, self._required]))
        self.shape = answer["shape"]
        self._factory = self.shape.startswith(f"window.create{self.object} ")
        return page, answer["reply"]

    async def _close_page(self, page: Any) -> None:
        try:
            await asyncio.wait_for(page.context.close(), CLOSE_TIMEOUT)
        except Exception:  # noqa: BLE001 - a stuck page: drop the whole browser instead
            browser, self._browser = self._browser, None
            if browser is not None:
                try:
                    await asyncio.wait_for(browser.close(), CLOSE_TIMEOUT)
                except Exception:  # noqa: BLE001
                    pass

    # --- the driver interface --------------------------------------------------------------

    def new_instance(self) -> PageInstance:
        try:
            self._run(self._ensure_browser(), LAUNCH_TIMEOUT)
        except TimeoutError:
            raise ImplementationError(
                f"{self.label}: Chromium did not start within {LAUNCH_TIMEOUT:g} s"
            ) from None
        # Room for the load and the wait (each within load_timeout), the page's own setup and
        # the look at what is there when the wait fails: a slow machine must still get that
        # message rather than this bare one.
        bound = self.load_timeout * 3 + DIAGNOSIS_TIMEOUT
        try:
            page, reply = self._run(self._new(), bound)
        except TimeoutError:
            raise ImplementationError(
                f"{self.label}: building an instance took longer than {bound:g} s"
            ) from None
        except ImplementationError:
            raise
        except Exception as exc:  # noqa: BLE001 - Playwright errors: crash, closed target...
            why = self._browser_gone or str(exc).splitlines()[0]
            raise ImplementationError(f"{self.label}: {why}") from None
        if "error" in reply:
            raise ImplementationError(f"{self.label}: {reply['error']}")
        instance = PageInstance(
            page, reply["instance"], frozenset(reply.get("has", ())), tuple(reply.get("async", ()))
        )
        try:
            run_setup(self, instance, self.label, self.load_timeout)
        except ImplementationError:
            self.close(instance)
            raise
        return instance

    def async_methods(self, instance: PageInstance) -> list[str]:
        """The binding's method names whose functions are ``async function``s (found, for the
        header)."""
        names = [self.binding.surface(self.spec, m).method for m in self.spec.methods.values()]
        return [n for n in dict.fromkeys(names) if n in instance.async_methods]

    def call(
        self, instance: PageInstance, method: str, args: list[Any], timeout: float
    ) -> Returned:
        return self.call_together(instance, [(method, args)], timeout)[0]

    def call_together(
        self, instance: PageInstance, calls: list[Call], timeout: float
    ) -> list[Returned]:
        """The calls in one evaluation, run in one turn of the page's event loop."""
        page = instance.page
        names = ", ".join(dict.fromkeys(method for method, _ in calls))
        gone = self._gone.get(page) or self._browser_gone
        if gone:
            before = PageGone(f"{self.label}: {gone} (before {names})")
            return [Returned(raised=before) for _ in calls]
        request = calls_request(self.handles, instance.number, calls)
        future = asyncio.run_coroutine_threadsafe(
            page.evaluate(HANDLE, [request, self._required]), self._loop
        )
        try:
            answer = json.loads(future.result(timeout * len(calls)))
        except TimeoutError:
            future.cancel()
            self._gone[page] = f"{names} did not return within {timeout:g} s (page closed)"
            try:
                self._run(self._close_page(page), CLOSE_TIMEOUT * 3)
            except Exception:  # noqa: BLE001 - the next case opens a new page all the same
                pass
            return [Returned(hung=True) for _ in calls]
        except Exception as exc:  # noqa: BLE001 - the page went away under the call
            why = self._gone.get(page) or self._browser_gone or str(exc).splitlines()[0]
            self._gone.setdefault(page, why)
            during = PageGone(f"{self.label}: {why} (during {names})")
            return [Returned(raised=during) for _ in calls]
        return returned_all(self.handles, answer["reply"]["replies"], timeout)

    def has_method(self, instance: PageInstance, name: str) -> bool:
        """Whether the object has the method (optional ones, e.g. describeConversation, may
        lack), by the binding's name for it (a dotted path too)."""
        return name in instance.has

    def close(self, instance: PageInstance) -> None:
        self.handles.release(instance.number)
        page = instance.page
        if self._factory and page not in self._gone and not page.is_closed():
            request = {"op": "drop", "instance": instance.number}
            asyncio.run_coroutine_threadsafe(page.evaluate(HANDLE, [request, []]), self._loop)

    def running(self) -> contextlib.nullcontext[None]:
        """Nothing to hold: the implementation runs in its own process."""
        return contextlib.nullcontext()

    def incidents(self, since: float) -> list[str]:
        return []  # what the process does outside calls shows on its stderr

    def shutdown(self) -> None:
        """Close the browser and stop serving the page."""
        if not self._thread.is_alive():
            return

        async def stop() -> None:
            if self._browser is not None:
                try:
                    await asyncio.wait_for(self._browser.close(), CLOSE_TIMEOUT)
                except Exception:  # noqa: BLE001
                    pass
            if self._playwright is not None:
                try:
                    await asyncio.wait_for(self._playwright.stop(), CLOSE_TIMEOUT)
                except Exception:  # noqa: BLE001
                    pass

        try:
            self._run(stop(), CLOSE_TIMEOUT * 3)
        except Exception:  # noqa: BLE001 - shutting down whatever is left
            pass
        self._browser = self._playwright = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CLOSE_TIMEOUT)
        self._served.close()


__all__ = ["PageDriver", "PageGone", "PageInstance"]
