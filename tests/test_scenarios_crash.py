"""Crash: `kill -9` of a running `bench run` at seeded random moments, then the same command."""

from __future__ import annotations

from benchmarks.perf.reliability import crash_scenario


def test_kill_9_at_random_moments_then_resume(tmp_path):
    sc = crash_scenario(tmp_path, 30, kills=2, seed=11, latency_s=0.15, concurrency=2)
    at_kill = sc.details["at_kill"]
    # The kills landed while the run was going (not after it had exited on its own)...
    assert not any(f["exited_before_kill"] for f in at_kill), at_kill
    done = [f["done_in_journal"] for f in at_kill]
    assert done[-1] < 30 and done == sorted(done), done
    # ...and right after each kill, reviews.csv and log.json (when present) parse, with no half row.
    for f in at_kill:
        assert f["reviews.csv"] in ("valid", "absent") and f["log.json"] in ("valid", "absent"), f
    # The same command then finishes; no paper finished before a run was requested again in it.
    assert sc.details["redone"] == [], sc.details["redone"]
    assert sc.figures["final exit code"] == 0, sc.details["final_stderr"]
    rows = sc.details["rows"]
    assert len(rows) == 30 and all(r["error"] == "" and r["Overall"] != "" for r in rows)
    assert sorted(r["paper_id"] for r in rows) == sorted({r["paper_id"] for r in rows})
    log = sc.details["log"]
    assert log["summary"]["done"] == 30 and log["ended"]
    # Each paper needs one request; a paper in flight at a kill may need one more, no more than that.
    assert max(sc.details["per_paper"].values()) <= 1 + len(at_kill)
    assert sc.ok
