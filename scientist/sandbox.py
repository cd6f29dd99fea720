"""Run untrusted (model-edited) experiment code with limits the code itself cannot lift.

Layers, strongest available first (see docs/scientist_sandbox.md):
- a clean environment built from an allow-list (no API keys, HOME = the work dir);
- `unshare -rn --pid --fork --kill-child --mount-proc` when it works here: new user, network, PID
  and mount namespaces. No network (only a down loopback of its own), no view of the parent's
  processes (and, from a child user namespace, no access to their /proc/<pid>/environ);
- when the parent is root and the work dir is reachable by others: drop to uid/gid 65534 (nobody),
  so root-only files (tokens, .netrc, caches) are unreadable and rlimits cannot be raised;
- rlimits (address space, CPU seconds, file size) set before exec (by `prlimit`, else preexec_fn);
- a wall-clock timeout enforced by this (parent) process: the whole tree is stopped, then SIGKILLed.
"""

from __future__ import annotations

import functools
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from pydantic import BaseModel

NOBODY = 65534
# In a new PID namespace the first process is its init, which ignores signals it has no handler for
# (even SIGKILL sent from inside); a shell is that init, so the experiment is an ordinary process and
# its death by signal comes back as exit status 128 + N.
NAMESPACE_PREFIX = ["unshare", "-rn", "--pid", "--fork", "--kill-child", "--mount-proc", "--",
                    "/bin/sh", "-c", '"$@"', "sandbox-init"]
NET_ONLY_PREFIX = ["unshare", "-rn", "--"]


class SandboxResult(BaseModel):
    returncode: int | None  # None when killed before it exited by itself
    stdout: str
    stderr: str
    timed_out: bool
    killed_reason: str | None  # "timeout" | "cpu_limit" | "memory_limit?" | "signal N" | None
    seconds: float
    network_isolated: bool
    isolation: str  # "user+net+pid+mount namespaces" | "user+net namespaces" | "none"
    uid_dropped: bool = False


@functools.cache
def _probe(prefix: tuple[str, ...], drop_uid: bool = False) -> bool:
    """True when this namespace prefix can run a program here (needs unshare + user namespaces),
    as the user the sandboxed code will run as."""
    if shutil.which(prefix[0]) is None:
        return False
    drop = _limits_prefix(None, None, None, drop_uid) if drop_uid else []
    if drop is None:
        return False
    try:
        done = subprocess.run([*drop, *prefix, "true"], capture_output=True, timeout=10, cwd="/")
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def isolation_prefix(drop_uid: bool = False) -> tuple[list[str], str]:
    """The command prefix to use and a name for the isolation it gives."""
    if _probe(tuple(NAMESPACE_PREFIX), drop_uid):
        return list(NAMESPACE_PREFIX), "user+net+pid+mount namespaces"
    if _probe(tuple(NET_ONLY_PREFIX), drop_uid):
        return list(NET_ONLY_PREFIX), "user+net namespaces"
    return [], "none"


def clean_env(cwd: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """An environment from an allow-list: nothing of the parent's is inherited except locale."""
    py_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{py_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(cwd),
        "TMPDIR": str(cwd / ".tmp"),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(cwd / ".tmp" / "mpl"),
    }
    for key, value in (extra or {}).items():
        if any(word in key.upper() for word in ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL")):
            raise ValueError(f"sandbox: refusing to pass environment variable {key!r} (looks like a secret)")
        env[key] = value
    return env


def _reachable_by_others(path: Path) -> bool:
    """`path` and its ancestors are searchable/executable by 'other' (needed after dropping to nobody)."""
    try:
        return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])
    except OSError:
        return False


def _chown_tree(root: Path, uid: int) -> None:
    os.chown(root, uid, uid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.lchown(os.path.join(dirpath, name), uid, uid)


def _limits_prefix(mem_mb: int | None, cpu_s: int | None, fsize_mb: int | None, drop_uid: bool) -> list[str] | None:
    """`prlimit ... -- [setpriv ... --]`: limits (and the uid drop) applied by exec'd helpers, so no
    Python runs between fork and exec (preexec_fn is unsafe in a threaded parent). None if missing."""
    if shutil.which("prlimit") is None or (drop_uid and shutil.which("setpriv") is None):
        return None
    cmd = ["prlimit", "--core=0"]
    cmd += [f"--as={mem_mb << 20}"] if mem_mb else []
    cmd += [f"--cpu={cpu_s}:{cpu_s + 1}"] if cpu_s else []
    cmd += [f"--fsize={fsize_mb << 20}"] if fsize_mb else []
    cmd.append("--")
    if drop_uid:
        cmd += ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    return cmd


def _preexec(mem_mb: int | None, cpu_s: int | None, fsize_mb: int | None, drop_uid: bool):
    """Fallback when prlimit/setpriv are missing."""

    def setup() -> None:  # runs in the child between fork and exec
        if mem_mb:
            resource.setrlimit(resource.RLIMIT_AS, (mem_mb << 20, mem_mb << 20))
        if cpu_s:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 1))
        if fsize_mb:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_mb << 20, fsize_mb << 20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if drop_uid:
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)

    return setup


class _Capture(threading.Thread):
    """Drains a pipe, keeping the first and last `limit // 2` bytes."""

    def __init__(self, stream, limit: int) -> None:
        super().__init__(daemon=True)
        self.stream, self.half = stream, max(limit // 2, 1)
        self.head, self.tail, self.total = bytearray(), bytearray(), 0

    def run(self) -> None:
        for chunk in iter(lambda: self.stream.read1(65536), b""):
            self.total += len(chunk)
            room = self.half - len(self.head)
            self.head += chunk[:room]
            self.tail += chunk[room:] if room > 0 else chunk
            del self.tail[: max(len(self.tail) - self.half, 0)]

    def text(self) -> str:
        dropped = self.total - len(self.head) - len(self.tail)
        middle = f"\n[... {dropped} bytes truncated ...]\n".encode() if dropped > 0 else b""
        return bytes(self.head + middle + self.tail).decode("utf-8", errors="replace")


def kill_tree(pid: int) -> None:
    """Stop every descendant (so none can fork), then SIGKILL them all and the process group."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    seen: dict[int, psutil.Process] = {}
    for _ in range(20):  # re-scan until a scan finds no new process
        try:
            found = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            found = []
        new = [p for p in found if p.pid not in seen]
        if not new:
            break
        for proc in new:
            seen[proc.pid] = proc
            try:
                proc.send_signal(signal.SIGSTOP)
            except psutil.Error:
                pass
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    for proc in seen.values():
        try:
            proc.kill()
        except psutil.Error:
            pass


def run_sandboxed(
    cmd: list[str],
    cwd: Path,
    timeout_s: float,
    mem_mb: int | None = 4096,
    cpu_s: int | None = None,
    *,
    fsize_mb: int | None = 1024,
    max_output_bytes: int = 200_000,
    env_extra: dict[str, str] | None = None,
    isolate: bool = True,
) -> SandboxResult:
    """Run `cmd` in `cwd` under the sandbox; never raises for the child's own failures."""
    cwd = Path(cwd).resolve()
    (cwd / ".tmp").mkdir(parents=True, exist_ok=True)
    exe = shutil.which(cmd[0], path=clean_env(cwd)["PATH"]) or cmd[0]
    drop_uid = os.geteuid() == 0 and _reachable_by_others(cwd) and _reachable_by_others(Path(exe).resolve())
    prefix, isolation = isolation_prefix(drop_uid) if isolate else ([], "none")
    if drop_uid:
        _chown_tree(cwd, NOBODY)  # the run dir is the one place it may write
    limits = _limits_prefix(mem_mb, cpu_s, fsize_mb, drop_uid)
    start = time.monotonic()
    proc = subprocess.Popen(
        [*(limits or []), *prefix, *cmd],
        cwd=cwd,
        env=clean_env(cwd, env_extra),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # own process group, detached from our terminal
        preexec_fn=None if limits is not None else _preexec(mem_mb, cpu_s, fsize_mb, drop_uid),
    )
    out, err = _Capture(proc.stdout, max_output_bytes), _Capture(proc.stderr, max_output_bytes)
    out.start()
    err.start()
    timed_out = not _wait_unreaped(proc.pid, start + timeout_s)
    # Always sweep (the exited child is not reaped yet, so its pid/process group cannot be reused):
    # a background grandchild must not outlive the run.
    kill_tree(proc.pid)
    returncode = proc.wait()
    if isolation.startswith("user+net+pid") and returncode > 128:
        returncode = -(returncode - 128)  # the shell init reports a signal death as 128 + N
    seconds = time.monotonic() - start
    out.join(5)
    err.join(5)
    for reader in (out, err):
        if not reader.is_alive():  # closing under a blocked reader could hang on the buffer's lock
            reader.stream.close()
    return SandboxResult(
        returncode=None if timed_out else returncode,
        stdout=out.text(),
        stderr=err.text(),
        timed_out=timed_out,
        killed_reason=_reason(timed_out, returncode, cpu_s, err.text()[-2000:]),
        seconds=round(seconds, 3),
        network_isolated=bool(prefix),
        isolation=isolation,
        uid_dropped=drop_uid,
    )


def _wait_unreaped(pid: int, deadline: float) -> bool:
    """Wait until `pid` exits or the deadline passes, leaving it a zombie; True when it exited."""
    delay = 0.005
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(min(delay, max(deadline - time.monotonic(), 0)))
        delay = min(delay * 2, 0.1)
    return False


MEMORY_ERRORS = ("MemoryError", "can't allocate memory", "std::bad_alloc", "Cannot allocate memory")


def _reason(timed_out: bool, returncode: int, cpu_s: int | None, stderr_tail: str) -> str | None:
    if timed_out:
        return "timeout"
    if returncode > 0 and any(m in stderr_tail for m in MEMORY_ERRORS):
        return "memory_limit (allocation refused)"
    if returncode >= 0:
        return None
    sig = -returncode
    if sig == signal.SIGXCPU or (cpu_s and sig == signal.SIGKILL):
        return f"cpu_limit (signal {sig})"
    return f"signal {sig} ({signal.Signals(sig).name})"
