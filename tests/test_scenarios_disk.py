"""Disk: the response cache (SQLite WAL), the journal and the atomically rewritten run files survive
kill -9 in the middle of writes."""

from __future__ import annotations

import json

from benchmarks.journal import Journal, remove_stale_temps
from benchmarks.perf.reliability import disk_scenario
from reviewer.llm.cache import ResponseCache
from reviewer.llm.types import Output


def test_kill_9_during_cache_journal_and_atomic_writes(tmp_path):
    sc = disk_scenario(tmp_path, 300, kills=2, seed=3)
    assert sc.details["integrity"] == "ok"
    assert sc.details["missing"] == [], sc.details["missing"][:5]  # every acknowledged entry is there
    assert sc.details["wrong"] == []
    assert sc.figures["half line repaired"] is True
    assert all(sc.figures["atomic file complete after each kill"])
    assert sum(v + 1 for v in sc.details["acked"].values()) > 0
    assert sc.ok


def test_cache_reopens_after_a_crash_with_its_wal_present(tmp_path):
    # A process that never closed its connection leaves -wal/-shm files; a new process reads through them.
    cache = ResponseCache(tmp_path / "c.sqlite")
    for i in range(20):
        cache.put(f"k{i}", Output(model="m/x", text=str(i)))
    assert (tmp_path / "c.sqlite-wal").exists()
    again = ResponseCache(tmp_path / "c.sqlite")
    assert [again.get(f"k{i}").text for i in range(20)] == [str(i) for i in range(20)]


def test_journal_half_written_last_line_is_cut_and_appends_continue(tmp_path):
    path = tmp_path / "results.jsonl"
    j = Journal(path)
    for i in range(3):
        j.append({"paper_id": f"p{i}", "status": "done"})
    j.close()
    with open(path, "ab") as f:
        f.write(b'{"paper_id": "p3", "status": "do')  # the kill hit mid-line
    j = Journal(path)
    assert set(j.read()) == {"p0", "p1", "p2"}
    j.append({"paper_id": "p3", "status": "done"})
    j.close()
    lines = path.read_text().splitlines()
    assert [json.loads(x)["paper_id"] for x in lines] == ["p0", "p1", "p2", "p3"]


def test_stale_temp_files_of_a_killed_rewrite_are_removed(tmp_path):
    (tmp_path / ".reviews.csv.abc.tmp").write_text("half")
    (tmp_path / "reviews.csv").write_text("paper_id\n")
    assert remove_stale_temps(tmp_path) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["reviews.csv"]
