"""Drive a Python implementation: a zero-argument factory named ``module:attribute``."""

from __future__ import annotations

import collections
import contextlib
import importlib
import inspect
import itertools
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..spec.bindings import Binding, load_binding
from ..spec.types import Klass, Spec
from .base import Call, ImplementationError, Returned, Settles, split_settles


def load_factory(target: str) -> Callable[..., Any]:
    """Import ``module:attribute`` (attribute may be dotted); the cwd is importable, as in pytest."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise ImplementationError(
            f"--impl {target!r}: expected module:attribute, e.g. mypkg.fake:make"
        )
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        obj: Any = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's to fix
        raise ImplementationError(
            f"--impl {target!r}: cannot import {module_name!r}: {type(exc).__name__}: {exc}"
        ) from None
    for part in attribute.split("."):
        if not hasattr(obj, part):
            raise ImplementationError(
                f"--impl {target!r}: {module_name!r} has no attribute {attribute!r}"
            )
        obj = getattr(obj, part)
    if not callable(obj):
        raise ImplementationError(
            f"--impl {target!r}: {attribute!r} is not callable (give a factory or a class)"
        )
    return obj


BUILD_TIMEOUT = 10.0  # seconds for the factory to build an instance (as for Node)


class ImplementationExit(BaseException):
    """Raised in place of ``os._exit`` while a contract run is active.

    ``os._exit`` ends the process at once: no ``except``, no ``finally``, no verdict (and CI
    reads exit 0 as a pass). While the implementation may run, ``os._exit`` is replaced by a
    function that raises this instead (a BaseException, so ``except Exception`` in the
    implementation does not swallow it); the runner reports it as what the call did."""

    def __init__(self, code: Any) -> None:
        self.code, self.what = code, f"called os._exit({code!r})"
        super().__init__(f"the implementation {self.what}")


class _Containment:
    """While active (re-entrant): ``os._exit`` raises ``ImplementationExit`` in the process
    that installed it (a forked child still really exits), and ``threading.excepthook``
    records what the implementation's own threads raise instead of printing a traceback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._pid = 0
        self._real_exit: Callable[[int], Any] = os._exit
        self._real_hook: Any = threading.excepthook
        self.incidents: list[tuple[float, str]] = []  # (monotonic time, what happened)
        # Bound once: each ``self._exit`` is a new bound method, and restoring compares by id.
        self._guard, self._hooked = self._exit, self._hook

    def __enter__(self) -> _Containment:
        with self._lock:
            if self._depth == 0:
                self._pid = os.getpid()
                self._real_exit, self._real_hook = os._exit, threading.excepthook
                os._exit = self._guard  # type: ignore[assignment]
                threading.excepthook = self._hooked
            self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                if os._exit is self._guard:
                    os._exit = self._real_exit  # type: ignore[assignment]
                if threading.excepthook is self._hooked:
                    threading.excepthook = self._real_hook

    @property
    def active(self) -> bool:
        return self._depth > 0

    def _exit(self, code: int = 0) -> None:
        if os.getpid() != self._pid:  # a forked child (multiprocessing): let it end for real
            self._real_exit(code)
        raise ImplementationExit(code)

    def _hook(self, args: Any) -> None:
        if issubclass(args.exc_type, SystemExit):  # threading ends such a thread quietly too
            return
        from .._core.text import describe_error

        name = args.thread.name if args.thread is not None else "?"
        text = f"the implementation's thread {name} raised {describe_error(args.exc_value)}"
        self.incidents.append((time.monotonic(), text))
        try:
            sys.stderr.write(f"kustomer-contract: {text}\n")
        except Exception:  # noqa: BLE001 - a closed stderr must not end the run
            pass

    def since(self, moment: float) -> list[str]:
        return [text for at, text in list(self.incidents) if at >= moment]


contained = _Containment()


def _gave(value: Any) -> str | None:
    """What a method returned, when it tells that the method is not callback-based."""
    if inspect.iscoroutine(value):
        value.close()  # never awaited: close it, so Python warns about nothing
        return "a coroutine"
    if inspect.isawaitable(value):
        return "an awaitable"
    return None


def attribute_path(instance: Any, path: str) -> tuple[Any, Any]:
    """The object a dotted path names on ``instance``, and its parent (``this`` of the call);
    ``(None, None)`` if some part is missing."""
    parent, value = None, instance
    for part in path.split("."):
        parent, value = value, getattr(value, part, None)
        if value is None:
            return None, None
    return value, parent


class _Awaiter:
    """One event-loop thread per driver on which returned awaitables are awaited (a binding's
    ``result: promise``), so an ``async def`` implementation runs as its users await it.
    Tasks still pending are held here: one awaiting a future nobody else holds would
    otherwise be collected mid-wait."""

    def __init__(self) -> None:
        self._loop: Any = None
        self._lock = threading.Lock()
        self._tasks: set[Any] = set()

    def settle(self, value: Any, settles: Settles) -> None:
        """Hand ``settles.to`` what awaiting ``value`` gives (at once if it is not awaitable)."""
        if not inspect.isawaitable(value):
            settles.to(value, None)
            return
        import asyncio

        async def outcome() -> tuple[Any, BaseException | None]:
            try:
                return await value, None
            except asyncio.CancelledError:
                raise  # the run ended: nobody waits for it any more
            except BaseException as exc:  # noqa: BLE001 - the rejection, whatever it is
                return None, exc

        def finished(task: Any) -> None:
            self._tasks.discard(task)
            if not task.cancelled():
                settles.to(*task.result())

        def begin() -> None:
            task = loop.create_task(outcome())
            self._tasks.add(task)
            task.add_done_callback(finished)

        loop = self._running()
        loop.call_soon_threadsafe(begin)

    def _running(self) -> Any:
        import asyncio

        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(
                    target=loop.run_forever, name="kustomer-await", daemon=True
                ).start()
                self._loop = loop
            return self._loop

    def stop(self) -> None:
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None:

            def end() -> None:
                for task in list(self._tasks):
                    task.cancel()
                loop.call_soon(loop.stop)  # one more turn: the cancellations run first

            loop.call_soon_threadsafe(end)


def _why_ended(exc: BaseException) -> str:
    """A BaseException that is not an error, in words (the factory or a method ended so)."""
    if isinstance(exc, ImplementationExit):
        return exc.what
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    from .._core.text import describe_error

    return f"raised {describe_error(exc)}"


_Jobs = queue.SimpleQueue[list[Callable[[], None]] | None]
_thread_numbers = itertools.count(1)


def _serve(jobs: _Jobs, done: threading.Semaphore) -> None:
    while (batch := jobs.get()) is not None:
        for job in batch:  # each job catches what it raises
            job()
            done.release()


class _CallThread:
    """The long-lived daemon thread a driver's calls run in, so that handing a call over costs a
    queue put rather than a thread's start and join. A call that does not return in time is
    left behind with its thread (it may never return: if it does, the thread ends) and the
    next call gets a new thread. Daemon, so the threads the implementation starts are daemons
    too and none keeps the process alive after the verdict."""

    def __init__(self) -> None:
        self._jobs: _Jobs | None = None
        self._done = threading.Semaphore(0)
        self._thread: threading.Thread | None = None

    def run(self, batch: list[Callable[[], None]], timeout: float) -> int:
        """Run the jobs one after the other; each has ``timeout`` seconds from the end of the
        one before. How many finished in time (all of them, unless one hung)."""
        if self._jobs is None:
            self._jobs, self._done = queue.SimpleQueue(), threading.Semaphore(0)
            self._thread = threading.Thread(
                target=_serve,
                args=(self._jobs, self._done),
                name=f"kustomer-call-{next(_thread_numbers)}",
                daemon=True,
            )
            self._thread.start()
        self._jobs.put(batch)
        for finished in range(len(batch)):
            if not self._done.acquire(timeout=timeout):
                self._jobs.put(None)  # abandoned: should the job ever return, the thread ends
                self._jobs = self._thread = None
                return finished
        return len(batch)

    def stop(self) -> None:
        if self._jobs is not None and self._thread is not None:
            self._jobs.put(None)
            self._thread.join(1.0)
        self._jobs = self._thread = None


class PythonDriver:
    """Calls the SDK's methods on a fresh object per case, in a long-lived call thread so
    a method that never returns is reported instead of hanging the run."""

    language = "python"
    shape: str | None = None  # a factory is called as it is

    def __init__(
        self,
        factory: Callable[..., Any],
        spec: Spec,
        klass: Klass | None = None,
        label: str = "",
        binding: Binding | None = None,
    ):
        self.factory = factory
        self.spec = spec
        self.klass = klass
        self.binding = binding or load_binding()
        self._awaiter = _Awaiter()
        self.label = label or getattr(factory, "__qualname__", repr(factory))
        self.page_errors: collections.Counter[str] = collections.Counter()  # no page
        self.factory_kwargs = self._factory_kwargs()  # what the factory is given
        self._calls = _CallThread()

    def _factory_kwargs(self) -> dict[str, Any]:
        """Optional factory parameters: ``klass`` (the names), ``klasses`` (further Klasses'
        names by Klass, e.g. conversation) and ``spec`` (its path)."""
        try:
            params = inspect.signature(self.factory).parameters
        except (TypeError, ValueError):
            return {}
        kwargs: dict[str, Any] = {}
        if "klass" in params and self.klass is not None:
            kwargs["klass"] = sorted(self.klass.attributes)
        if "klasses" in params and self.klass is not None:  # further Klasses, by name
            kwargs["klasses"] = {name: sorted(names) for name, names in self.klass.others}
        if "spec" in params:
            kwargs["spec"] = str(self.spec.path.parent)
        return kwargs

    def new_instance(self) -> Any:
        """Build an instance in the call thread, as every call runs: threads the factory
        starts are daemons too (they inherit it), so none keeps the process alive after the
        verdict; a KeyboardInterrupt or SystemExit it raises is its own, never the user's
        Ctrl-C; and a factory that never returns is reported."""
        try:
            return self._build()
        except ImplementationError:
            self._calls.stop()  # the run ends here: nothing of it stays behind
            raise

    def _build(self) -> Any:
        built: dict[str, Any] = {}

        def build() -> None:
            try:
                built["instance"] = self.factory(**self.factory_kwargs)
            except BaseException as exc:  # noqa: BLE001 - reported as a broken factory
                built["raised"] = exc

        with contained:
            finished = self._calls.run([build], BUILD_TIMEOUT)
        if not finished:
            raise ImplementationError(
                f"the factory {self.label} did not return within {BUILD_TIMEOUT:g} s"
            )
        if "raised" in built:
            exc = built["raised"]
            if isinstance(exc, ImplementationExit) or not isinstance(exc, Exception):
                raise ImplementationError(f"the factory {self.label} {_why_ended(exc)}") from None
            from .._core.text import describe_error

            raise ImplementationError(
                f"the factory {self.label} raised {describe_error(exc)}"
            ) from None
        instance = built["instance"]
        required = [
            self.binding.surface(self.spec, m).method
            for m in self.spec.methods.values()
            if not m.optional
        ]
        missing = [name for name in required if not self.has_method(instance, name)]
        if missing:
            raise ImplementationError(
                f"the object from {self.label} lacks the SDK method(s) {', '.join(missing)}"
            )
        self._set_up(instance)
        return instance

    def _set_up(self, instance: Any) -> None:
        """The binding's setup calls (configure(apiKey, ...)), awaited, before anything else."""
        for step in self.binding.setup:
            outcome: dict[str, Any] = {}
            done = threading.Event()

            def record(
                value: Any, error: Any, outcome: dict[str, Any] = outcome, done: Any = done
            ) -> None:
                outcome["error"] = error
                done.set()

            method, _ = attribute_path(instance, step.method)
            if not callable(method):
                raise ImplementationError(
                    f"the object from {self.label} lacks the setup method {step.method}"
                )
            settles = Settles("promise" if step.result == "promise" else "return", record)
            call = (step.method, [*step.args, settles])
            self.call_together(instance, [call], BUILD_TIMEOUT)
            if not done.wait(BUILD_TIMEOUT):
                raise ImplementationError(f"the setup call {step.method} did not finish")
            if outcome.get("error") is not None:
                from .._core.text import describe_error

                raise ImplementationError(
                    f"the setup call {step.method} failed: {describe_error(outcome['error'])}"
                )

    def async_methods(self, instance: Any) -> list[str]:
        """The surface methods that are ``async def`` (found, so the header can say so)."""
        names = [self.binding.surface(self.spec, m).method for m in self.spec.methods.values()]
        return [n for n in names if inspect.iscoroutinefunction(attribute_path(instance, n)[0])]

    def call(self, instance: Any, method: str, args: list[Any], timeout: float) -> Returned:
        return self.call_together(instance, [(method, args)], timeout)[0]

    def call_together(self, instance: Any, calls: list[Call], timeout: float) -> list[Returned]:
        """The calls back to back in the call thread (the implementation's own threads may
        still run between them: Python cannot hold them off)."""
        results = [Returned(hung=True) for _ in calls]

        def job(method: str, args: list[Any], result: Returned) -> Callable[[], None]:
            passed, settles = split_settles(args)

            def run() -> None:
                began = time.monotonic()
                try:
                    function, _ = attribute_path(instance, method)
                    value = function(*passed)
                except BaseException as exc:  # noqa: BLE001 - reported as a failure, never a crash
                    if settles is not None and settles.how == "return":
                        settles.to(None, exc)  # a plain return's error is what it raises
                    else:
                        result.raised = exc
                else:
                    if settles is None:
                        result.gave = _gave(value)
                    elif settles.how == "return":
                        settles.to(value, None)
                    else:
                        self._awaiter.settle(value, settles)
                result.hung, result.took = False, time.monotonic() - began

            return run

        with contained:
            self._calls.run(
                [job(m, a, r) for (m, a), r in zip(calls, results, strict=True)], timeout
            )
        return results

    @contextlib.contextmanager
    def running(self) -> Iterator[_Containment]:
        """The context a whole run is held in (implementation timers fire between calls);
        the call thread ends with it."""
        with contained:
            try:
                yield contained
            finally:
                self._calls.stop()
                self._awaiter.stop()

    def incidents(self, since: float) -> list[str]:
        """What the implementation's own threads raised since ``since`` (time.monotonic)."""
        return contained.since(since)

    def has_method(self, instance: Any, name: str) -> bool:
        return callable(attribute_path(instance, name)[0])

    def close(self, instance: Any) -> None:
        """Nothing to release for in-process objects."""

    def shutdown(self) -> None:
        """Ends the call thread (the next call starts another) and the await loop."""
        self._calls.stop()
        self._awaiter.stop()
