"""The sandbox: clean env, no network, limits the child cannot lift, nothing left running."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import psutil
import pytest

from scientist.sandbox import clean_env, isolation_prefix, run_sandboxed

PY = sys.executable


def py(code: str) -> list[str]:
    return [PY, "-c", textwrap.dedent(code)]


def procs_with(token: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if token in " ".join(p.info["cmdline"] or []) and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.Error:
            pass
    return found


def needs_namespaces():
    if isolation_prefix()[1] == "none":
        pytest.skip("unshare/user namespaces unavailable here: network isolation is off (documented fallback)")


def test_clean_env_has_no_keys_and_rejects_secret_like_extras(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-openai-secret")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-secret")
    res = run_sandboxed(py("import os, json; print(json.dumps(dict(os.environ)))"), tmp_path, 30)
    assert res.returncode == 0, res.stderr
    assert "sk-test-openai-secret" not in res.stdout and "sk-ant-test-secret" not in res.stdout
    assert "OPENAI_API_KEY" not in res.stdout and "ANTHROPIC_API_KEY" not in res.stdout
    assert f'"HOME": "{tmp_path.resolve()}"' in res.stdout
    with pytest.raises(ValueError, match="secret"):
        clean_env(tmp_path, {"MY_API_KEY": "x"})


def test_cannot_read_secrets_of_other_processes_through_proc(tmp_path):
    """A process started with the keys in its environment (like the loop's parent) is not readable."""
    needs_namespaces()
    secret = f"sk-proc-{uuid.uuid4().hex}"
    holder = subprocess.Popen(["sleep", "60"], env={"OPENAI_API_KEY": secret, "PATH": "/usr/bin:/bin"})
    scan = """
        import os, subprocess
        subprocess.run(["umount", "/proc"], capture_output=True)  # try to uncover the host's /proc
        hits = []
        for pid in os.listdir("/proc"):
            try:
                if SECRET.encode() in open(f"/proc/{pid}/environ", "rb").read():
                    hits.append(pid)
            except OSError:
                pass
        print("HITS", hits)
    """.replace("SECRET", repr(secret))
    try:
        control = subprocess.run(py(scan), capture_output=True, text=True, timeout=30)  # unsandboxed: finds it
        assert "HITS []" not in control.stdout, "control failed: the scan cannot see the secret even unsandboxed"
        res = run_sandboxed(py(scan), tmp_path, 30)
        assert res.returncode == 0, res.stderr
        assert "HITS []" in res.stdout
    finally:
        holder.kill()
        holder.wait()


def test_no_network_even_to_loopback(tmp_path):
    needs_namespaces()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    code = f"""
        import socket
        s = socket.socket(); s.settimeout(3)
        try:
            s.connect(("127.0.0.1", {port})); print("CONNECTED")
        except OSError as e:
            print("REFUSED", e)
        try:
            socket.create_connection(("pypi.org", 443), timeout=3); print("INTERNET")
        except OSError as e:
            print("NO-INTERNET", e)
    """
    try:
        control = socket.create_connection(("127.0.0.1", port), timeout=3)  # the port is really open
        control.close()
        res = run_sandboxed(py(code), tmp_path, 30)
    finally:
        server.close()
    assert res.network_isolated is True
    assert "REFUSED" in res.stdout and "CONNECTED" not in res.stdout
    assert "NO-INTERNET" in res.stdout


def test_infinite_loop_is_killed_at_the_limit(tmp_path):
    start = time.monotonic()
    res = run_sandboxed(py("while True: pass"), tmp_path, timeout_s=2)
    assert res.timed_out and res.killed_reason == "timeout" and res.returncode is None
    assert 1.9 <= res.seconds < 6 and time.monotonic() - start < 8


def test_code_that_fights_its_timeout_is_killed_and_leaves_nothing(tmp_path):
    token = f"aisci-hostile-{uuid.uuid4().hex}"
    code = f"""
        import os, resource, signal, subprocess, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)      # ignore polite termination
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        signal.alarm(0)                                     # cancel any alarm
        for lim in (resource.RLIMIT_CPU, resource.RLIMIT_AS):
            try:
                resource.setrlimit(lim, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
                print("RAISED", lim, flush=True)
            except (ValueError, OSError) as e:
                print("NOT-RAISED", lim, e, flush=True)
        # a detached grandchild in its own session that would outlive us
        subprocess.Popen(["sleep", "1000", "{token}"], start_new_session=True)
        if os.fork() == 0:
            os.setsid()
            os.execvp("sh", ["sh", "-c", "trap '' TERM; while :; do :; done # {token}"])
        while True:
            pass
    """
    res = run_sandboxed(py(code), tmp_path, timeout_s=3, cpu_s=60)
    assert res.timed_out and res.killed_reason == "timeout"
    assert res.seconds < 8
    if res.isolation != "none":
        assert "RAISED" not in res.stdout.replace("NOT-RAISED", "")  # no CAP_SYS_RESOURCE in the namespace
    time.sleep(0.3)
    assert procs_with(token) == [], "a process of the sandboxed run survived"


def test_background_child_does_not_outlive_a_normal_exit(tmp_path):
    token = f"aisci-bg-{uuid.uuid4().hex}"
    code = f"""
        import subprocess
        subprocess.Popen(["sleep", "1000", "{token}"], start_new_session=True)
        print("parent done")
    """
    res = run_sandboxed(py(code), tmp_path, timeout_s=20)
    assert res.returncode == 0 and not res.timed_out
    time.sleep(0.3)
    assert procs_with(token) == []


def test_memory_limit_refuses_a_big_allocation(tmp_path):
    res = run_sandboxed(py("x = bytearray(3 * 1024**3); print('ALLOCATED')"), tmp_path, 30, mem_mb=512)
    assert res.returncode not in (0, None) and "ALLOCATED" not in res.stdout
    assert res.killed_reason and res.killed_reason.startswith("memory_limit")


def test_cpu_limit(tmp_path):
    res = run_sandboxed(py("while True: pass"), tmp_path, timeout_s=30, cpu_s=1)
    assert not res.timed_out and res.killed_reason and res.killed_reason.startswith("cpu_limit")
    assert res.seconds < 20


def test_output_is_truncated_to_the_bound(tmp_path):
    res = run_sandboxed(py("print('a' * 100000); print('END')"), tmp_path, 30, max_output_bytes=1000)
    assert len(res.stdout) < 1200 and "bytes truncated" in res.stdout and res.stdout.rstrip().endswith("END")


def test_root_parent_drops_to_nobody_when_paths_allow(tmp_path):
    """As root, with a world-reachable work dir and interpreter, root-only files become unreadable."""
    system_python = Path("/usr/bin/python3")
    if os.geteuid() != 0 or not system_python.exists():
        pytest.skip("needs a root parent and /usr/bin/python3 (outside /root)")
    box = Path(tempfile.mkdtemp(prefix="aisci-box-", dir="/tmp"))
    box.chmod(0o755)
    secret = tmp_path / "root_only.txt"  # under pytest's 0700 root-owned tmp dir
    secret.write_text("s3cret")
    secret.chmod(0o600)
    try:
        res = run_sandboxed([str(system_python), "-c", f"print(open({str(secret)!r}).read())"], box, 30)
        assert res.uid_dropped
        assert res.returncode != 0 and "s3cret" not in res.stdout and "Permission denied" in res.stderr
        assert (box / ".tmp").stat().st_uid == 65534
    finally:
        shutil.rmtree(box)
