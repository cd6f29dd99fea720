"""Harness overhead: how close `aisci bench run` gets to the physical limit set by the model's latency.

A `bench run` of N papers (1-sample and 5-sample ensemble) against the fake OpenAI-compatible server
(a separate process, so its threads do not share our GIL) with fixed latency L and concurrency C.
The best any harness can do is calls x L / C seconds, so it prints

    ratio = measured wall time / (calls x L / C)

where calls = HTTP requests the server received during the run (an n=5 ensemble is one request with
n=5, plus one meta-review request per paper). Wall time is measured two ways: `in-run` (the run's own
start and end in log.json: what the harness adds while reviewing) and `process` (the whole subprocess,
including Python start-up and imports, a constant of a few seconds on a slow machine). Also prints the
run's peak RSS (os.wait4 on the subprocess) and the number of model calls `bench score` makes on the
finished run (must be 0), and the fake server's own CPU per request (it shares the machine's CPUs).
The "model layer alone" row runs with the garbage-collector settings `bench run` uses
(benchmarks.run.tune_gc_for_run), so the two compare like with like.

    python benchmarks/perf/harness_overhead.py                       # 500 papers, L=0.2 s, C=64
    python benchmarks/perf/harness_overhead.py --papers 100 --json   # smaller, machine-readable
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.perf.reliability import bench_env, paper_ids, synthetic_dataset  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stats(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=10) as r:
        return json.loads(r.read())


def start_server(latency: float, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "reviewer.testing.fake_server", "--port", str(port),
                             "--latency", str(latency), "--vary"], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # "fake server on ..."
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            stats(port)
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("fake server did not start")


def run_child(cmd: list[str], env: dict[str, str]) -> tuple[int, float, float, float, str]:
    """(exit code, wall s, peak RSS MB, CPU s of that process, stderr tail), measured with os.wait4."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    err = proc.stderr.read()  # drained until the child closes it (at exit)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, time.perf_counter() - t0, usage.ru_maxrss / 1024, cpu, err[-1500:]


def server_cpu_s(pid: int) -> float:
    """CPU seconds used so far by the fake server process (all its threads)."""
    import psutil

    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def one(ds: Path, work: Path, port: int, ensemble: int, latency: float, concurrency: int,
        server_pid: int) -> dict[str, Any]:
    out = work / f"run_e{ensemble}"
    env = bench_env(work / f"cache_e{ensemble}")  # fresh cache: every call is real
    cmd = [sys.executable, "-m", "reviewer.aisci", "bench", "run", "--dataset", str(ds), "--out", str(out),
           "--model", "openai/gpt-4o-mini", "--base-url", f"http://127.0.0.1:{port}/v1",
           "--concurrency", str(concurrency), "--ensemble", str(ensemble), "--no-progress"]
    before = stats(port)["requests"]
    load = os.getloadavg()[0]
    server_before = server_cpu_s(server_pid)
    code, wall, rss, cpu, err = run_child(cmd, env)
    calls = stats(port)["requests"] - before
    server_cpu = server_cpu_s(server_pid) - server_before
    if code != 0:
        raise SystemExit(f"bench run (ensemble {ensemble}) failed with exit code {code}:\n{err}")
    log = json.loads((out / "log.json").read_text())
    in_run = (datetime.fromisoformat(log["ended"]) - datetime.fromisoformat(log["started"])).total_seconds()
    ideal = calls * latency / concurrency
    # The same command again: a resume with nothing to do = the fixed cost (start-up, imports, files).
    _, noop_wall, _, noop_cpu, _ = run_child(cmd, env)
    # bench score on the finished run: counts server requests during it (must be 0).
    before = stats(port)["requests"]
    t0 = time.perf_counter()
    score = subprocess.run([sys.executable, "-m", "reviewer.aisci", "bench", "score", "--dataset", str(ds),
                            "--reviews", str(out / "reviews.csv"), "--json"], env=env, capture_output=True, text=True)
    return {
        "ensemble": ensemble, "papers": log["summary"]["papers"], "reviewed": log["summary"]["done"],
        "calls": calls, "ideal_s": round(ideal, 3), "in_run_s": round(in_run, 3), "process_s": round(wall, 3),
        "ratio_in_run": round(in_run / ideal, 3), "ratio_process": round(wall / ideal, 3),
        "peak_rss_mb": round(rss, 1), "cpu_s": round(cpu, 2), "load_avg_1m": round(load, 1),
        "noop_resume_s": round(noop_wall, 2), "noop_resume_cpu_s": round(noop_cpu, 2),
        "cpu_ms_per_call": round((cpu - noop_cpu) / max(1, calls) * 1000, 2), "rescore_calls": stats(port)["requests"] - before,
        "rescore_exit": score.returncode, "rescore_s": round(time.perf_counter() - t0, 2),
        "server_cpu_ms_per_call": round(server_cpu / max(1, calls) * 1000, 2),
    }


async def _transport_floor(port: int, calls: int, concurrency: int, latency: float) -> dict[str, Any] | None:
    """The same requests with a bare aiohttp client (no SDK, no model layer): what the fake server, loopback
    and one Python event loop allow on this machine. None when aiohttp is not installed (a core dependency since session 11)."""
    import asyncio
    import resource

    try:
        import aiohttp
    except ImportError:
        return None
    from reviewer.form import review_json_schema

    schema = review_json_schema(6, 600)
    sem = asyncio.Semaphore(concurrency)
    url = f"http://127.0.0.1:{port}/v1/chat/completions"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async def one(i: int) -> None:
            body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"# Paper t{i}: floor\n" * 20}],
                    "response_format": {"type": "json_schema", "json_schema": {"name": "review", "schema": schema}}}
            async with sem, session.post(url, json=body) as r:
                json.loads(await r.read())

        r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(calls)))
        wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    ideal = calls * latency / concurrency
    return {"calls": calls, "ideal_s": round(ideal, 3), "wall_s": round(wall, 3), "ratio": round(wall / ideal, 3),
            "cpu_ms_per_call": round(cpu / calls * 1000, 2)}


async def _sdk_floor(port: int, calls: int, concurrency: int, latency: float) -> dict[str, Any]:
    """The model layer alone (Model.generate through the official SDK, no harness): the floor any
    harness built on it has, measured against the same server in this process."""
    import asyncio
    import resource

    from benchmarks.run import tune_gc_for_run
    from reviewer.form import review_json_schema
    from reviewer.llm import GenerateConfig, Message, get_model

    model = get_model("openai/gpt-4o-mini", base_url=f"http://127.0.0.1:{port}/v1", cache=False,
                      max_concurrency=concurrency)
    config = GenerateConfig(json_schema=review_json_schema(6, 600), task="review")
    sem = asyncio.Semaphore(concurrency)
    tune_gc_for_run()  # the collector settings `bench run` uses, so the two rows compare like with like

    async def one(i: int) -> None:
        async with sem:
            await model.generate([Message(role="user", content=f"# Paper f{i}: floor\n" * 20)], config)

    r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(calls)))
    wall, r1 = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    await model.aclose()
    cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
    ideal = calls * latency / concurrency
    return {"calls": calls, "ideal_s": round(ideal, 3), "wall_s": round(wall, 3), "ratio": round(wall / ideal, 3),
            "cpu_ms_per_call": round(cpu / calls * 1000, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=500)
    ap.add_argument("--latency", type=float, default=0.2, help="fake server latency L, seconds")
    ap.add_argument("--concurrency", type=int, default=64, help="bench run --concurrency C")
    ap.add_argument("--ensembles", type=int, nargs="+", default=[1, 5])
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="aisci-overhead-") as tmp:
        work = Path(tmp)
        ds = synthetic_dataset(work / "ds", paper_ids(a.papers))
        server, port = start_server(a.latency, bench_env(work / "srvcache"))
        try:
            import asyncio

            server_before = server_cpu_s(server.pid)
            transport = asyncio.run(_transport_floor(port, a.papers, a.concurrency, a.latency))
            floor = asyncio.run(_sdk_floor(port, a.papers, a.concurrency, a.latency))
            floor["server_cpu_ms_per_call"] = round((server_cpu_s(server.pid) - server_before) / a.papers * 1000, 2)
            results = [one(ds, work, port, k, a.latency, a.concurrency, server.pid) for k in a.ensembles]
            peak = stats(port)["peak_in_flight"]
        finally:
            server.terminate()
            server.wait()
    if a.json:
        print(json.dumps({"latency_s": a.latency, "concurrency": a.concurrency, "server_peak_in_flight": peak,
                          "cpus": os.cpu_count(), "transport_floor": transport, "sdk_floor": floor, "runs": results}, indent=1))
        return 0
    print(f"bench run, {a.papers} papers, fake server latency L={a.latency} s, concurrency C={a.concurrency} "
          f"(server peak in flight: {peak})")
    print("| run | calls | ideal calls*L/C (s) | in-run wall (s) | ratio in-run | process wall (s) | "
          "ratio process | CPU ms/call | peak RSS (MB) | bench score calls | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    if transport is None:
        print("| bare HTTP client (no SDK) | null: aiohttp not installed (pip install 'openai[aiohttp]') | - | - | - | - | - | - | - | - | - |")
    else:
        t = transport
        print(f"| bare HTTP client (aiohttp, no SDK) | {t['calls']} | {t['ideal_s']:.2f} | {t['wall_s']:.2f} | {t['ratio']:.3f} "
              f"| - | - | {t['cpu_ms_per_call']:.2f} | - | - | - |")
    f = floor
    print(f"| model layer alone (no harness) | {f['calls']} | {f['ideal_s']:.2f} | {f['wall_s']:.2f} | {f['ratio']:.3f} "
          f"| - | - | {f['cpu_ms_per_call']:.2f} | - | - | - |")
    for r in results:
        print(f"| bench run, ensemble {r['ensemble']} | {r['calls']} | {r['ideal_s']:.2f} | {r['in_run_s']:.2f} | "
              f"{r['ratio_in_run']:.3f} | {r['process_s']:.2f} | {r['ratio_process']:.3f} | {r['cpu_ms_per_call']:.2f} | "
              f"{r['peak_rss_mb']:.0f} | {r['rescore_calls']} | {r['load_avg_1m']} |")
    print(f"fixed cost (same command again, nothing to do): {results[0]['noop_resume_s']:.2f} s wall, "
          f"{results[0]['noop_resume_cpu_s']:.2f} s CPU; {os.cpu_count()} CPUs")
    print("fake server CPU per request (its own process): "
          + ", ".join([f"model layer {f['server_cpu_ms_per_call']:.2f} ms"]
                      + [f"ensemble {r['ensemble']} {r['server_cpu_ms_per_call']:.2f} ms" for r in results]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
