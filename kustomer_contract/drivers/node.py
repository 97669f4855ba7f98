"""Drive a JavaScript implementation in Node: ``NodeDriver(path, spec, klass, label, binding)``.

The binding (``kustomer_contract.spec.bindings``, the web binding unless given) names the
global the module defines, the methods' names on it (dotted paths allowed), the setup calls
made on every fresh instance and how results come back: through a callback, or a returned
Promise / value that the JavaScript side awaits for the runner's ``Settles``.

The module (ESM, or CommonJS through ``import()``) provides the SDK in one of three shapes,
found in this order and reported as ``NodeDriver.shape``:

- ``default export factory`` / ``default export class``: called (``new`` for a class) once per
  case, with ``{klass: [names]}`` when a Klass is given;
- ``default export object``: an object with the SDK's methods;
- ``globalThis.Kustomer`` (or ``window.Kustomer``) set by the module: the binding's object
  (``globalThis.KustomerCore`` for the core binding).

For the last two the module is imported again per case (``?instance=N``), so no state leaks.

One long-lived ``node`` process per driver (started on the first ``new_instance``) runs
``node_driver.mjs``: requests go as JSON Lines on its stdin, replies and callbacks come back on
a pipe of their own, so the implementation's console.log cannot confuse the protocol. A reader
thread hands each callback to the runner's probe as it arrives (a second call too), converted
to Python: JSON values as they are (``undefined`` -> None), an ``Error`` -> ``JSError``, a value
JSON cannot carry (a function, a cycle, BigInt, NaN) -> a ``JSValue`` marker. A method that
never returns blocks the process: after the timeout it is killed (restarted on the next case)
and the call is reported as hung. The process exiting during a call is reported as that call
raising ``NodeExited`` (an ``ImplementationError``); during loading or building an instance it
raises ``ImplementationError`` from ``new_instance``.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import itertools
import json
import os
import shutil
import signal
import subprocess
import threading
import weakref
from pathlib import Path
from typing import Any

from ..spec.bindings import Binding, load_binding
from ..spec.types import Klass, Spec
from .base import Call, ImplementationError, Returned
from .js_values import Handles, JSError, JSValue, calls_request, returned_all, run_setup

DRIVER_SCRIPT = Path(__file__).with_name("node_driver.mjs")
HOST_SCRIPT = Path(__file__).with_name("js_host.cjs")
LOAD_TIMEOUT = 30.0  # seconds for node to start and import the module
BUILD_TIMEOUT = 10.0  # seconds for a factory to build an instance


class NodeExited(ImplementationError):
    """The node process running the implementation ended (or was ended) during a call."""


def _user_frames(stack: str) -> str:
    """Node's error text without the frames of node itself and of this driver."""
    lines = [
        line
        for line in str(stack).splitlines()
        if not ("node:internal" in line or DRIVER_SCRIPT.name in line or HOST_SCRIPT.name in line)
    ]
    return "\n".join(lines).strip()


LINE_CAP = 4096  # bytes of one output line kept for messages


class _Waiter:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.reply: dict[str, Any] | None = None


# Every node process group not yet ended, held here (not by its driver, which an early
# exception may drop): whatever way the interpreter exits, none is left running, nor what the
# implementation spawned in it.
_LIVE: set[_NodeProcess] = set()


@atexit.register
def _end_every_group() -> None:
    for process in list(_LIVE):
        process.kill("the run ended")


class _NodeProcess:
    """One running ``node node_driver.mjs``: its pipes, reader threads and pending requests."""

    def __init__(
        self, node: str, path: Path, methods: list[str], label: str, obj: str = "Kustomer"
    ) -> None:
        self.label = label
        self.dead = False
        self.death = ""  # why it ended
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._pending: dict[int, _Waiter] = {}
        self.handles = Handles()  # the callbacks and options the node side refers to
        self._tail: collections.deque[str] = collections.deque(maxlen=60)  # last output lines
        self._ready = _Waiter()
        msg_read, msg_write = os.pipe()
        out_read, out_write = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [node, str(DRIVER_SCRIPT), str(msg_write), str(path), json.dumps(methods), obj],
                stdin=subprocess.PIPE,
                stdout=out_write,
                stderr=out_write,
                pass_fds=(msg_write,),
                cwd=str(path.parent),
                # Its own process group: ending it ends what the implementation spawned too,
                # and a Ctrl-C at the terminal reaches us, not it.
                start_new_session=True,
            )
        except OSError as exc:
            os.close(msg_read)
            os.close(out_read)
            raise ImplementationError(f"cannot start node for {label}: {exc}") from None
        finally:
            os.close(msg_write)
            os.close(out_write)
        _LIVE.add(self)
        self._messages = os.fdopen(msg_read, "rb")
        self._output = os.fdopen(out_read, "rb")
        self._out_thread = threading.Thread(
            target=self._drain_output, name="kustomer-node-output", daemon=True
        )
        self._out_thread.start()
        threading.Thread(target=self._read, name="kustomer-node-reader", daemon=True).start()

    # --- threads ---------------------------------------------------------------------------

    def _drain_output(self) -> None:
        """Keep the last lines for messages, each cut at LINE_CAP bytes: a module printing
        endless lines must not fill our memory."""
        cut = False
        while chunk := self._output.readline(LINE_CAP):
            if not cut:
                text = chunk.decode("utf-8", "replace").rstrip("\n")
                self._tail.append(text if chunk.endswith(b"\n") else text + " [line cut]")
            cut = not chunk.endswith(b"\n")

    def _read(self) -> None:
        for raw in self._messages:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            try:
                self._dispatch(message)
            except Exception:  # noqa: BLE001 - a probe's own error must not stop the reader
                pass
        self._ended()

    def _dispatch(self, message: dict[str, Any]) -> None:
        self.handles.receive(message)  # changed options, and the callback if it is one
        if "re" in message:
            with self._lock:
                waiter = self._pending.pop(message["re"], None)
            if waiter is not None:
                waiter.reply = message
                waiter.event.set()
        elif "ready" in message or "fatal" in message:
            self._ready.reply = message
            self._ready.event.set()

    def _ended(self) -> None:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        self._out_thread.join(timeout=1)
        with self._lock:
            if not self.dead:
                self.dead = True
                self.death = f"node exited with code {code}{self.stderr_tail()}"
            waiters, self._pending = list(self._pending.values()), {}
        for waiter in [*waiters, self._ready]:
            waiter.event.set()

    def stderr_tail(self, lines: int = 12) -> str:
        tail = [line for line in list(self._tail)[-lines:] if line.strip()]
        return "; output ends:\n  " + "\n  ".join(tail) if tail else " (no output)"

    # --- requests --------------------------------------------------------------------------

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        if not self._ready.event.wait(timeout):
            self.kill(f"killed: loading the module took longer than {timeout:g} s")
            raise ImplementationError(f"{self.label}: {self.death}")
        reply = self._ready.reply
        if reply is None:
            raise ImplementationError(f"{self.label}: cannot load the module: {self.death}")
        if "fatal" in reply:
            raise ImplementationError(
                f"{self.label}: cannot load the module: {_user_frames(reply['fatal'])}"
            )
        return reply

    def request(self, message: dict[str, Any]) -> _Waiter:
        waiter = _Waiter()
        with self._lock:
            if self.dead:
                waiter.event.set()
                return waiter
            rid = next(self._ids)
            self._pending[rid] = waiter
            try:
                assert self.proc.stdin is not None  # Popen(stdin=PIPE)
                self.proc.stdin.write((json.dumps({**message, "id": rid}) + "\n").encode())
                self.proc.stdin.flush()
            except (OSError, ValueError):
                self._pending.pop(rid, None)
                waiter.event.set()  # the reader thread records why the process ended
        return waiter

    def send(self, message: dict[str, Any]) -> None:
        with self._lock:
            if self.dead:
                return
            try:
                assert self.proc.stdin is not None  # Popen(stdin=PIPE)
                self.proc.stdin.write((json.dumps(message) + "\n").encode())
                self.proc.stdin.flush()
            except (OSError, ValueError):
                pass

    def kill(self, why: str) -> None:
        _LIVE.discard(self)
        with self._lock:
            if not self.dead:
                self.dead, self.death = True, why
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # node and whatever it started
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        try:
            assert self.proc.stdin is not None  # Popen(stdin=PIPE)
            self.proc.stdin.close()
        except OSError:
            pass


class NodeInstance:
    """A handle on one SDK object living in the node process."""

    def __init__(
        self,
        process: _NodeProcess,
        number: int,
        has: frozenset[str],
        async_methods: tuple[str, ...] = (),
    ) -> None:
        self.process, self.number, self.has = process, number, has
        self.async_methods = async_methods  # the methods that are async functions

    def __repr__(self) -> str:
        return f"<NodeInstance {self.number}>"


class NodeDriver:
    """Calls the SDK's methods on a fresh JavaScript object per case, in one node process."""

    language = "javascript"

    def __init__(
        self,
        path: str | os.PathLike[str],
        spec: Spec,
        klass: Klass | None = None,
        label: str = "",
        binding: Binding | None = None,
    ) -> None:
        self.path = Path(path).resolve()
        self.spec, self.klass = spec, klass
        self.binding = binding or load_binding()
        # The binding's names: required (non-optional methods), and all those asked about.
        surfaces = [(self.binding.surface(spec, m).method, m) for m in spec.methods.values()]
        self._required = [n for n, m in surfaces if not getattr(m, "optional", False)]
        self._methods = list(
            dict.fromkeys([n for n, _ in surfaces] + [s.method for s in self.binding.setup])
        )
        self.label = label or str(path)
        self.page_errors: collections.Counter[str] = collections.Counter()  # no page
        self.shape: str | None = None
        if not self.path.is_file():
            raise ImplementationError(f"--node {path}: no such file")
        node = shutil.which("node")
        if node is None:
            raise ImplementationError(
                "node is not on PATH: install Node.js 18+ to check JavaScript"
            )
        self._node = node
        self._process: _NodeProcess | None = None
        self._load_error: ImplementationError | None = None  # a module that failed to load
        self._lock = threading.Lock()
        ref = weakref.ref(self)

        def shutdown_at_exit() -> None:
            if (d := ref()) is not None:
                d.shutdown()

        atexit.register(shutdown_at_exit)

    def _running(self) -> _NodeProcess:
        with self._lock:
            if self._load_error is not None:  # it will not load the next time either
                raise ImplementationError(str(self._load_error))
            process = self._process
            if process is None or process.dead:
                process = _NodeProcess(
                    self._node, self.path, self._required, self.label, self.binding.object
                )
                self._process = process
                try:
                    self.shape = process.wait_ready(LOAD_TIMEOUT)["shape"]
                except ImplementationError as exc:
                    process.kill("failed to load")
                    self._load_error = exc
                    raise
            return process

    def new_instance(self) -> NodeInstance:
        process = self._running()
        names = sorted(self.klass.attributes) if self.klass is not None else None
        others = {k: sorted(v) for k, v in self.klass.others} if self.klass is not None else None
        waiter = process.request(
            {
                "op": "new",
                "klass": names,
                "klasses": others,
                "spec": self.spec.name,
                "methods": self._methods,
            }
        )
        if not waiter.event.wait(BUILD_TIMEOUT):
            process.kill(f"killed: building an instance took longer than {BUILD_TIMEOUT:g} s")
            raise ImplementationError(f"{self.label}: {process.death}")
        reply = waiter.reply
        if reply is None:
            raise ImplementationError(
                f"{self.label}: the node process ended while building an instance: {process.death}"
            )
        if "error" in reply:
            raise ImplementationError(f"{self.label}: {reply['error']}")
        instance = NodeInstance(
            process,
            reply["instance"],
            frozenset(reply.get("has", ())),
            tuple(reply.get("async", ())),
        )
        try:
            run_setup(self, instance, self.label, BUILD_TIMEOUT)
        except ImplementationError:
            self.close(instance)
            raise
        return instance

    def async_methods(self, instance: NodeInstance) -> list[str]:
        """The binding's method names whose functions are ``async function``s (found, for the
        header)."""
        names = [self.binding.surface(self.spec, m).method for m in self.spec.methods.values()]
        return [n for n in dict.fromkeys(names) if n in instance.async_methods]

    def call(
        self, instance: NodeInstance, method: str, args: list[Any], timeout: float
    ) -> Returned:
        return self.call_together(instance, [(method, args)], timeout)[0]

    def call_together(
        self, instance: NodeInstance, calls: list[Call], timeout: float
    ) -> list[Returned]:
        """The calls in one request, run in one turn of Node's event loop."""
        process = instance.process
        names = ", ".join(dict.fromkeys(method for method, _ in calls))
        if process.dead:
            return [Returned(raised=self._exited(process, names)) for _ in calls]
        request = calls_request(process.handles, instance.number, calls)
        waiter = process.request(request)
        if not waiter.event.wait(timeout * len(calls)):
            process.kill(f"killed: {names} did not return within {timeout:g} s")
            return [Returned(hung=True) for _ in calls]
        reply = waiter.reply
        if reply is None:
            return [Returned(raised=self._exited(process, names)) for _ in calls]
        return returned_all(process.handles, reply["replies"], timeout)

    def has_method(self, instance: NodeInstance, name: str) -> bool:
        """Whether the object has the method (optional ones, e.g. describeConversation, may
        lack), by the binding's name for it (a dotted path too)."""
        return name in instance.has

    def _exited(self, process: _NodeProcess, method: str) -> NodeExited:
        return NodeExited(f"{self.label}: {process.death} (during or before {method})")

    def close(self, instance: NodeInstance) -> None:
        process = instance.process
        process.handles.release(instance.number)
        process.send({"op": "drop", "instance": instance.number})

    def running(self) -> contextlib.nullcontext[None]:
        """Nothing to hold: the implementation runs in its own process."""
        return contextlib.nullcontext()

    def incidents(self, since: float) -> list[str]:
        return []  # what the process does outside calls shows on its stderr

    def shutdown(self) -> None:
        """Stop the node process (started again by the next ``new_instance``)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            process.kill("shut down")


__all__ = ["JSError", "JSValue", "NodeDriver", "NodeExited", "NodeInstance"]
