"""Lifecycle of the embedded llama.cpp server (xllamacpp's C++ server) in a child process.

The server runs as `python -m reviewer.llm.local_server ...` so it can be killed as a whole and
cannot outlive us: it has its own process group (we stop it with SIGTERM, then SIGKILL), it
exits when its stdin pipe from us closes (parent died, any cause), on Linux it also gets
PR_SET_PDEATHSIG, and `atexit` stops every server we started. One server per `ServerSpec`
(model file + settings) is shared by the whole process, created under a lock.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .errors import LLMError

READY = "AISCI_READY"
FAILED = "AISCI_FAILED"


@dataclass(frozen=True)
class ServerSpec:
    model_path: str
    ctx: int = 8192
    threads: int = 2
    parallel: int = 1  # llama.cpp slots: concurrent requests served at once
    chat_template: str = ""  # llama.cpp built-in template name; "" = the model's own (Jinja)
    port: int = 0  # 0 = a free port chosen by the server
    host: str = "127.0.0.1"

    def argv(self) -> list[str]:
        return ["--model", self.model_path, "--ctx", str(self.ctx), "--threads", str(self.threads),
                "--parallel", str(self.parallel), "--chat-template", self.chat_template,
                "--port", str(self.port), "--host", self.host]


class LocalServer:
    """Parent-side handle of one server child process."""

    def __init__(self, spec: ServerSpec, *, startup_timeout_s: float = 180.0, log_path: Path | None = None,
                 inherit_stderr: bool = False):
        self.spec = spec
        self.startup_timeout_s = startup_timeout_s
        self.inherit_stderr = inherit_stderr
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.base_url: str | None = None  # http://127.0.0.1:PORT (no /v1)
        self.failed: str | None = None  # a start-up failure is final: not retried on every request
        self._ready_lock = threading.Lock()
        self._log_file = None

    def spawn(self) -> None:
        """Start the child (fast; no waiting). Call from the thread that will live longest:
        PR_SET_PDEATHSIG fires when the *thread* that spawned the child ends, so it is only
        armed when spawning from the main thread."""
        args = [sys.executable, "-m", "reviewer.llm.local_server", *self.spec.argv(), "--watch-stdin"]
        if threading.current_thread() is threading.main_thread():
            args += ["--parent-pid", str(os.getpid())]
        if self.inherit_stderr:
            stderr = None
        else:
            if self.log_path is None:
                fd, name = tempfile.mkstemp(prefix="aisci-local-server-", suffix=".log")
                os.close(fd)
                self.log_path = Path(name)
            self._log_file = stderr = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop())
        # Passive OpenMP waits: with spinning threads a busy 2-core machine made llama.cpp ~15x slower
        # (a 67+60-token request: 50-80 s instead of 4-7 s; docs/local_model.md).
        env = {**os.environ, "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "PASSIVE")}
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                                     start_new_session=True, env=env)

    def wait_ready(self) -> str:
        """Block until the server answers /health; return its base URL. Thread-safe."""
        with self._ready_lock:
            if self.failed:
                raise LLMError(self.failed)
            if self.base_url is not None and self.alive():
                return self.base_url
            if self.proc is None:
                self.spawn()
            assert self.proc is not None and self.proc.stdout is not None
            deadline = time.monotonic() + self.startup_timeout_s
            line = _read_line(self.proc.stdout, deadline)
            if line.startswith(READY):
                url = json.loads(line[len(READY):])["url"]
                if _healthy(url, deadline):
                    self.base_url = url
                    return url
                cause = f"no healthy answer from {url}/health"
            elif line.startswith(FAILED):
                cause = line[len(FAILED):].strip()
            elif self.proc.poll() is not None:
                cause = f"server process exited with code {self.proc.returncode}"
            else:
                cause = f"not ready within {self.startup_timeout_s:.0f}s (raise startup_timeout_s)"
            self.stop()
            self.failed = f"local model server ({Path(self.spec.model_path).name}): {cause}{self._log_hint()}"
            raise LLMError(self.failed)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout_s: float = 5.0) -> None:
        proc, self.proc, self.base_url = self.proc, None, None
        if proc is not None and proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    proc.wait(timeout_s)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()
            if proc.poll() is None:
                proc.wait(timeout_s)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def failure_hint(self) -> str:
        """Why a request failed, when the cause is the server process itself."""
        if self.proc is not None and self.proc.poll() is not None:
            return f"local model server exited with code {self.proc.returncode}{self._log_hint()}"
        return ""

    def _log_hint(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        tail = self.log_path.read_text(errors="replace").strip().splitlines()[-3:]
        return f"; log {self.log_path}: " + " | ".join(t.strip() for t in tail)


def _read_line(stream, deadline: float) -> str:
    """One line from the child's stdout, or '' on time-out / EOF."""
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not sel.select(remaining):
            return ""
    return stream.readline().decode(errors="replace").strip()


def _healthy(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


# --- the process-wide pool -------------------------------------------------------------------------

_POOL: dict[ServerSpec, LocalServer] = {}
_POOL_LOCK = threading.Lock()


def acquire(spec: ServerSpec, startup_timeout_s: float = 180.0) -> LocalServer:
    """The running (or just spawned) server for `spec`; call `.wait_ready()` on it."""
    with _POOL_LOCK:
        server = _POOL.get(spec)
        if server is None or (server.proc is not None and not server.alive()):
            if server is not None:
                server.stop()
            server = LocalServer(spec, startup_timeout_s=startup_timeout_s)
            server.spawn()
            _POOL[spec] = server
        return server


def stop_all() -> None:
    with _POOL_LOCK:
        servers = list(_POOL.values())
        _POOL.clear()
    for server in servers:
        server.stop()
        if server.log_path is not None:
            server.log_path.unlink(missing_ok=True)


atexit.register(stop_all)


# --- the child process -----------------------------------------------------------------------------

def _arm_parent_death_signal(parent_pid: int) -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return  # not Linux: the stdin watch still ends us
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)


def child_main(argv: list[str] | None = None) -> int:  # noqa: C901 (flat start-up sequence)
    p = argparse.ArgumentParser(prog="python -m reviewer.llm.local_server")
    p.add_argument("--model", required=True)
    p.add_argument("--ctx", type=int, default=8192)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--parallel", type=int, default=1)
    p.add_argument("--chat-template", default="")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--parent-pid", type=int)
    p.add_argument("--watch-stdin", action="store_true")
    args = p.parse_args(argv)
    if args.parent_pid:
        _arm_parent_death_signal(args.parent_pid)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    if args.watch_stdin:  # EOF on stdin = the parent is gone (whatever killed it)
        threading.Thread(target=_watch_stdin, args=(stop,), daemon=True).start()
    try:
        import xllamacpp

        params = xllamacpp.CommonParams()
        params.model.path = args.model
        params.n_ctx = args.ctx
        params.n_parallel = args.parallel
        params.cpuparams.n_threads = args.threads
        params.cpuparams_batch.n_threads = args.threads
        params.hostnames = [args.host]
        params.port = args.port
        if args.chat_template:  # e.g. Gemma base: without it the prompt collapses to a few tokens
            params.use_jinja = False
            params.chat_template = args.chat_template
        server = xllamacpp.Server(params)
    except Exception as e:  # report the cause on the ready channel: the parent shows it
        print(f"{FAILED} {type(e).__name__}: {e}", flush=True)
        return 1
    print(f"{READY} {json.dumps({'url': server.listening_address, 'ctx': args.ctx})}", flush=True)
    while not stop.wait(0.5):
        pass
    del server  # graceful: the C++ destructor joins the server loop
    sys.stdout.flush()
    os._exit(0)  # skip interpreter finalization: the stdin-watch thread is still blocked in read()


def _watch_stdin(stop: threading.Event) -> None:
    try:
        while os.read(0, 4096):  # raw fd: no buffered-reader lock held at shutdown
            pass
    except OSError:
        pass
    stop.set()


if __name__ == "__main__":
    sys.exit(child_main())
