"""Faults: 20% HTTP 500, 10% 429 with Retry-After, 5% hangs past the time-out, 5% malformed or
truncated bodies over a 100-paper `bench run` (a subprocess of the real CLI) against the fake server."""

from __future__ import annotations

from benchmarks.perf.reliability import faults_scenario


def test_100_papers_under_faults_end_reviewed_or_recorded_and_rerun_retries_only_failed(tmp_path):
    # The first 40 answers are 500s. With 8 papers in flight and 5 attempts each, at least one paper
    # must use up its attempts inside them (else <= 8 x 4 = 32 requests), so the re-run path is always
    # exercised; then the random fault mix applies.
    sc = faults_scenario(tmp_path, 100, retry_after_s=0.1, timeout_s=0.5, hang_s=1.0, retry_base_s=0.02,
                         concurrency=8, seed=1, sequence=["500"] * 40)
    runs, stats = sc.details["runs"], sc.details["stats"]
    # Every fault kind was really injected.
    for kind in ("500", "429", "hang", "malformed", "truncated"):
        assert stats["faults"].get(kind, 0) > 0, stats["faults"]
    # 0 crashes: exit 0 and no traceback, on every run.
    assert not any(r["crashed"] for r in runs), runs[0]["stderr_tail"]
    # Every paper ends reviewed, or failed with a one-line reason: nothing lost.
    first = runs[0]["rows"]
    assert len(runs[0]["failed"]) >= 1 and len(runs) >= 2
    assert len(first) == 100 and len({r["paper_id"] for r in first}) == 100
    for r in first:
        if r["error"]:  # the reason names the last error after the bounded retries
            assert "\n" not in r["error"] and r["paper_id"] in runs[0]["failed"]
            assert "gave up after 5 attempts" in r["error"], r["error"]
        else:
            assert r["Overall"] != "" and r["Decision"] in ("Accept", "Reject")
    # Re-running requests only papers that had failed: never one that had finished.
    for before, after in zip(runs, runs[1:], strict=False):
        assert after["papers_requested"] <= before["failed"], after["papers_requested"] - before["failed"]
        assert not (after["papers_requested"] & after["finished_before"])
    assert not runs[-1]["failed"], "papers still failing after the re-runs"
    assert sc.ok, sc.figures

