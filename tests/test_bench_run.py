"""`aisci bench run` against a real HTTP server on 127.0.0.1: faults, resume, kill -9."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchdata import make_dataset

from reviewer.aisci import main as aisci
from reviewer.testing.fake_server import FakeServer, Faults


def read_rows(run: Path) -> list[dict[str, str]]:
    with open(run / "reviews.csv", newline="") as f:
        return list(csv.DictReader(f))


def bench_args(ds: Path, out: Path, srv: FakeServer, *extra: str) -> list[str]:
    return ["bench", "run", "--dataset", str(ds), "--out", str(out), "--model", "openai/gpt-4o-mini",
            "--base-url", srv.base_url, "--concurrency", "4", "--no-progress", *extra]


def papers_requested(srv: FakeServer) -> list[str]:
    """The paper id each request was about (the synthetic papers name themselves)."""
    out = []
    for body in srv.requests:
        text = " ".join(str(m.get("content")) for m in body.get("messages", []))
        out.append(next((w.rstrip(":") for w in text.split() if w.startswith("p") and w[1:4].isdigit()), "?"))
    return out


def test_30_papers_with_20pct_500s_all_reviewed(tmp_path):
    ds = make_dataset(tmp_path / "ds", n=30)
    with FakeServer(faults=Faults(p500=0.2, seed=1)) as srv:
        rc = aisci(bench_args(ds, tmp_path / "run", srv))
        assert rc == 0
        rows = read_rows(tmp_path / "run")
        assert len(rows) == 30
        assert all(r["error"] == "" for r in rows), [r["error"] for r in rows if r["error"]]
        assert all(r["Overall"] != "" and r["Decision"] in ("Accept", "Reject") for r in rows)
        assert srv.stats()["faults"].get("500", 0) > 0
        log = json.loads((tmp_path / "run" / "log.json").read_text())
        assert log["summary"]["done"] == 30 and log["dataset_hash"] and log["ended"]
        # Re-running the finished run makes no request at all.
        before = srv.n_requests
        assert aisci(bench_args(ds, tmp_path / "run", srv)) == 0
        assert srv.n_requests == before


def test_bad_paper_is_recorded_and_the_run_goes_on(tmp_path):
    ds = make_dataset(tmp_path / "ds", n=5, bad={"junk": b"\x00\x01 not a pdf", "empty": b""})
    with FakeServer() as srv:
        assert aisci(bench_args(ds, tmp_path / "run", srv)) == 0
        rows = {r["paper_id"]: r for r in read_rows(tmp_path / "run")}
        assert len(rows) == 7
        assert "junk" in rows["junk"]["error"] and "\n" not in rows["junk"]["error"]
        assert rows["empty"]["error"]
        assert all(rows[f"p{i:03d}"]["error"] == "" for i in range(5))


def test_kill_9_then_resume_redoes_no_finished_paper(tmp_path):
    ds = make_dataset(tmp_path / "ds", n=30)
    out = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    with FakeServer(latency_s=0.15) as srv:
        cmd = [sys.executable, "-m", "reviewer.aisci", *bench_args(ds, out, srv)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        journal = out / "results.jsonl"
        deadline = time.time() + 60
        while time.time() < deadline:
            if journal.exists() and journal.read_text().count("\n") >= 10:
                break
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        finished = {json.loads(line)["paper_id"] for line in journal.read_text().splitlines()
                    if line.strip().endswith("}")}
        assert 10 <= len(finished) < 30
        n_before = srv.n_requests
        rc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert rc.returncode == 0, rc.stderr[-2000:]
        again = set(papers_requested(srv)[n_before:])
        assert not (again & finished), f"finished papers reviewed again: {sorted(again & finished)}"
        rows = read_rows(out)
        assert len(rows) == 30 and all(r["error"] == "" for r in rows)
        assert json.loads((out / "log.json").read_text())["summary"]["done"] == 30


def test_cost_cap_stops_the_run_and_leaves_the_rest_pending(tmp_path):
    """Papers are loaded ahead of the workers; at the cap the loading stops too and the run ends."""
    ds = make_dataset(tmp_path / "ds", n=20)
    with FakeServer(latency_s=0.02) as srv:
        rc = aisci(bench_args(ds, tmp_path / "run", srv, "--max-cost", "0.000001"))
        assert rc == 3
        rows = read_rows(tmp_path / "run")
        assert len(rows) == 20
        done = [r for r in rows if r["error"] == ""]
        assert 1 <= len(done) <= 4  # the requests in flight when the cap was reached (concurrency 4)
        assert all(r["error"] == "not reviewed: cost cap reached" for r in rows if r["error"])
        assert srv.n_requests == len(done)


def test_resume_accepts_a_log_from_before_a_setting_existed_and_refuses_other_settings(tmp_path):
    ds, out = make_dataset(tmp_path / "ds", n=3), tmp_path / "run"
    with FakeServer() as srv:
        assert aisci(bench_args(ds, out, srv)) == 0
        log = json.loads((out / "log.json").read_text())
        for key in ("injection_judge", "injection_judge_passages"):  # settings added after such a run
            del log["config"][key]
        (out / "log.json").write_text(json.dumps(log))
        before = srv.n_requests
        assert aisci(bench_args(ds, out, srv)) == 0  # same flags: resumes, nothing to do
        assert srv.n_requests == before
        with pytest.raises(SystemExit, match=r"other settings \(injection_judge\)"):
            aisci(bench_args(ds, out, srv, "--injection-judge"))
