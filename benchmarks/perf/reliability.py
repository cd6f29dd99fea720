"""Reliability scenarios: `bench run` under injected faults, kill -9, crashes during disk writes, bad
papers and bad model output, against the local fake server (real HTTP on 127.0.0.1, real SDK).

Run at full size, it writes docs/reliability.md (the table is produced here, never by hand):

    python benchmarks/perf/reliability.py                 # all scenarios, full size (~2-4 min)
    python benchmarks/perf/reliability.py --quick         # the sizes the tests use

The tests (tests/test_scenarios_*.py) call the same scenario functions at small sizes and assert on
what they return. Every `bench run` here is a subprocess of the real CLI, so a crash shows as a
non-zero exit code or a traceback on stderr, and is counted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # run as a script: python benchmarks/perf/reliability.py
    sys.path.insert(0, str(REPO))

from benchmarks.reviews_io import REVIEW_COLUMNS  # noqa: E402
from reviewer.testing.fake_server import FakeServer, Faults, default_responder  # noqa: E402

PAPER_RE = re.compile(r"Paper ([\w-]+):")


@dataclass
class Scenario:
    """One row of the reliability table, plus the raw facts tests assert on."""

    name: str
    load: str
    faults: str
    outcome: str = ""
    figures: dict[str, Any] = field(default_factory=dict)
    ok: bool = False
    details: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- shared helpers

def synthetic_dataset(root: Path, ids: list[str], seed: int = 0) -> Path:
    """ratings.tsv + papers/<id>.txt; each paper's title names its id, so requests can be attributed."""
    rng = random.Random(seed)
    (root / "papers").mkdir(parents=True, exist_ok=True)
    lines = ["paper_id\t0\t1\t2\t3\t4\t5\t6\tdecision"]
    for pid in ids:
        ratings = [rng.choice([1, 3, 5, 6, 8, 10]) for _ in range(rng.randint(3, 4))]
        decision = "Accept (Poster)" if sum(ratings) / len(ratings) >= 6 else "Reject"
        lines.append("\t".join([pid, *[f"{r:.1f}" for r in ratings], *[""] * (7 - len(ratings)), decision]))
        (root / "papers" / f"{pid}.txt").write_text(
            f"# Paper {pid}: a study of things\n\n## Abstract\nWe study topic {pid} carefully.\n\n"
            f"## 1 Introduction\nMotivation {rng.random():.6f}.\n\n## 5 Conclusion\nIt works.\n")
    (root / "ratings.tsv").write_text("\n".join(lines) + "\n")
    return root


def paper_ids(n: int) -> list[str]:
    return [f"p{i:04d}" for i in range(n)]


def paper_of(body: dict[str, Any]) -> str:
    """The paper a request is about (the synthetic papers name themselves in their title)."""
    for m in body.get("messages", []):
        content = m.get("content")
        text = content if isinstance(content, str) else json.dumps(content)
        if (hit := PAPER_RE.search(text)) is not None:
            return hit.group(1)
    return "?"


def bench_cmd(ds: Path, out: Path, base_url: str, *extra: str, concurrency: int = 8) -> list[str]:
    return [sys.executable, "-m", "reviewer.aisci", "bench", "run", "--dataset", str(ds), "--out", str(out),
            "--model", "openai/gpt-4o-mini", "--base-url", base_url, "--concurrency", str(concurrency),
            "--no-progress", *extra]


def bench_env(cache_dir: Path, timeout_s: float | None = None, retry_base_s: float | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["AISCI_CACHE_DIR"] = str(cache_dir)
    if timeout_s is not None:
        env["AISCI_REQUEST_TIMEOUT"] = str(timeout_s)
    if retry_base_s is not None:
        env["AISCI_RETRY_BASE_DELAY"] = str(retry_base_s)
    return env


def crashed(proc: subprocess.CompletedProcess) -> bool:
    return proc.returncode != 0 or "Traceback (most recent call last)" in (proc.stderr or "")


def read_reviews_csv(path: Path) -> list[dict[str, str]]:
    """Strict read: the header starts with the 17 review columns and every row has every column."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        if header[: len(REVIEW_COLUMNS)] != REVIEW_COLUMNS:
            raise ValueError(f"{path}: header does not start with the review columns")
        rows = list(reader)
    for i, row in enumerate(rows):
        if None in row or any(v is None for v in row.values()):
            raise ValueError(f"{path}: row {i + 2} has a wrong number of fields (half-written)")
    return rows


def journal_done(path: Path) -> set[str]:
    """Papers whose last complete journal record says done."""
    status: dict[str, str] = {}
    if path.exists():
        for line in path.read_bytes().split(b"\n"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            status[rec["paper_id"]] = rec.get("status", "")
    return {p for p, s in status.items() if s == "done"}


def one_line(s: str) -> bool:
    return bool(s) and "\n" not in s and "Traceback" not in s


# ---------------------------------------------------------------- scenario: faults

def faults_scenario(work: Path, n: int = 100, *, p500: float = 0.2, p429: float = 0.1, phang: float = 0.05,
                    pbad: float = 0.05, retry_after_s: float = 0.1, timeout_s: float = 0.5, hang_s: float = 1.0,
                    retry_base_s: float = 0.05, latency_s: float = 0.0, concurrency: int = 8, seed: int = 1,
                    max_runs: int = 4, sequence: list[str] | None = None) -> Scenario:
    ds = synthetic_dataset(work / "ds", paper_ids(n), seed)
    out = work / "run"
    faults = Faults(p500=p500, p429=p429, phang=phang, pmalformed=pbad / 2, ptruncated=pbad / 2,
                    retry_after_s=retry_after_s, hang_s=hang_s, seed=seed, sequence=list(sequence or []))
    sc = Scenario("faults", f"{n} papers, concurrency {concurrency}, latency {latency_s:g} s",
                  (f"a burst of {len(sequence)} HTTP 500s first, then " if sequence else "")
                  + f"{p500:.0%} HTTP 500, {p429:.0%} 429 (Retry-After {retry_after_s:g} s), {phang:.0%} hangs "
                  f"({hang_s:g} s, time-out {timeout_s:g} s), {pbad:.0%} malformed/truncated bodies")
    env = bench_env(work / "cache", timeout_s, retry_base_s)
    runs: list[dict[str, Any]] = []
    with FakeServer(latency_s=latency_s, faults=faults) as srv:
        cmd = bench_cmd(ds, out, srv.base_url, concurrency=concurrency)
        for _ in range(max_runs):
            before_req, before_done = srv.n_requests, journal_done(out / "results.jsonl")
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
            rows = read_reviews_csv(out / "reviews.csv")
            per_paper = Counter(paper_of(b) for b in srv.requests[before_req:])
            failed = {r["paper_id"] for r in rows if r["error"]}
            runs.append({"seconds": round(time.perf_counter() - t0, 2), "crashed": crashed(proc),
                         "stderr_tail": proc.stderr[-1500:], "rows": rows, "requests": srv.n_requests - before_req,
                         "papers_requested": set(per_paper), "finished_before": before_done, "failed": failed})
            if not failed:
                break
        stats = srv.stats()
    first = runs[0]
    rows = first["rows"]
    ended = sum(1 for r in rows if (r["error"] == "" and r["Overall"] != "") or one_line(r["error"]))
    redone = [sorted(r["papers_requested"] & r["finished_before"]) for r in runs[1:]]
    only_failed = all(not x for x in redone)
    extra_papers = [sorted(r["papers_requested"] - p["failed"]) for p, r in zip(runs, runs[1:], strict=False)]
    sc.details = {"runs": runs, "stats": stats}
    sc.figures = {
        "faults injected": dict(sorted(stats["faults"].items())), "requests": stats["requests"],
        "crashes": sum(r["crashed"] for r in runs), "rows": len(rows),
        "ended reviewed or with a reason (run 1)": ended,
        "failed after each run": [len(r["failed"]) for r in runs],
        "papers re-requested that had finished": sum(len(x) for x in redone),
        "seconds per run": [r["seconds"] for r in runs],
    }
    sc.ok = (sc.figures["crashes"] == 0 and len(rows) == n and ended == n and only_failed
             and not any(extra_papers) and not runs[-1]["failed"])
    sc.outcome = (f"{ended}/{n} papers ended reviewed or with a one-line reason; 0 lost; {sc.figures['crashes']} "
                  f"crashes; re-runs requested only failed papers: {'yes' if only_failed else 'NO'}; "
                  f"all reviewed after {len(runs)} run(s)" if not runs[-1]["failed"] else "some papers still failed")
    return sc


# ---------------------------------------------------------------- scenario: kill -9 of bench run

def crash_scenario(work: Path, n: int = 40, *, kills: int = 3, seed: int = 7, latency_s: float = 0.05,
                   concurrency: int = 4) -> Scenario:
    rng = random.Random(seed)
    ds = synthetic_dataset(work / "ds", paper_ids(n), seed)
    out = work / "run"
    journal = out / "results.jsonl"
    env = bench_env(work / "cache")
    sc = Scenario("crash (kill -9)", f"{n} papers, concurrency {concurrency}, latency {latency_s:g} s",
                  f"{kills} kill -9 of the running `bench run` at seeded random moments, then the same command")
    at_kill: list[dict[str, Any]] = []
    redone: list[str] = []
    with FakeServer(latency_s=latency_s) as srv:
        cmd = bench_cmd(ds, out, srv.base_url, concurrency=concurrency)
        for _ in range(kills):
            finished = journal_done(journal)
            before = srv.n_requests
            remaining = n - len(finished)
            target = len(finished) + rng.randint(0, max(0, remaining // 2 - 1))  # mid-run, never at the end
            extra_wait = rng.uniform(0, 0.3)
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 120
            while time.time() < deadline and proc.poll() is None and len(journal_done(journal)) < target:
                time.sleep(0.01)
            time.sleep(extra_wait)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            redone += sorted({paper_of(b) for b in srv.requests[before:]} & finished)
            facts: dict[str, Any] = {"done_in_journal": len(journal_done(journal)), "exited_before_kill": None}
            facts["exited_before_kill"] = proc.returncode != -signal.SIGKILL
            for name, reader in (("reviews.csv", read_reviews_csv), ("log.json", lambda p: json.loads(p.read_text()))):
                path = out / name
                try:
                    facts[name] = "absent" if not path.exists() else (reader(path) and "valid")
                except Exception as e:  # recorded: the test and the table show it
                    facts[name] = f"INVALID: {type(e).__name__}: {e}"
            at_kill.append(facts)
        finished = journal_done(journal)
        before = srv.n_requests
        final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        redone += sorted({paper_of(b) for b in srv.requests[before:]} & finished)
        per_paper = Counter(paper_of(b) for b in srv.requests)
    rows = read_reviews_csv(out / "reviews.csv")
    log = json.loads((out / "log.json").read_text())
    valid_at_kill = all(f["reviews.csv"] in ("valid", "absent") and f["log.json"] in ("valid", "absent")
                        for f in at_kill)
    sc.details = {"at_kill": at_kill, "redone": redone, "final_stderr": final.stderr[-1500:], "rows": rows,
                  "per_paper": per_paper, "log": log}
    sc.figures = {
        "papers done at each kill": [f["done_in_journal"] for f in at_kill],
        "files parsed right after each kill": [f"{f['reviews.csv']}/{f['log.json']}" for f in at_kill],
        "finished papers requested again": len(redone),
        "requests": sum(per_paper.values()), "requests per paper (max)": max(per_paper.values()),
        "final exit code": final.returncode, "rows": len(rows),
        "reviewed": sum(1 for r in rows if r["error"] == ""),
    }
    sc.ok = (final.returncode == 0 and not crashed(final) and not redone and valid_at_kill and len(rows) == n
             and sc.figures["reviewed"] == n and log["summary"]["done"] == n)
    sc.outcome = (f"finished: {sc.figures['reviewed']}/{n} reviewed; {len(redone)} finished papers requested again; "
                  f"reviews.csv and log.json {'parsed' if valid_at_kill else 'DID NOT parse'} after every kill")
    return sc


# ---------------------------------------------------------------- scenario: disk (cache, journal, atomic files)

CACHE_WRITER = """
import sys
from reviewer.llm.cache import ResponseCache
from reviewer.llm.types import Output
cache = ResponseCache(sys.argv[1])
tag, n = sys.argv[2], int(sys.argv[3])
for i in range(n):
    cache.put(f"{tag}-{i}", Output(model="fake/m", text="x" * 2000 + str(i)))
    print(i, flush=True)   # acknowledged: put() returned, so the entry is committed
"""

JOURNAL_WRITER = """
import sys
from pathlib import Path
from benchmarks.journal import Journal
j = Journal(Path(sys.argv[1]))
for i in range(int(sys.argv[2])):
    j.append({"paper_id": f"j{i:05d}", "status": "done", "Summary": "y" * 3000})
    print(i, flush=True)
"""

ATOMIC_WRITER = """
import sys
from pathlib import Path
from benchmarks.journal import atomic_write_text
for i in range(int(sys.argv[2])):
    rows = i % 50 + 1
    atomic_write_text(Path(sys.argv[1]), "n,text\\n" + "".join(f"{rows},{'z' * 20000}\\n" for _ in range(rows)))
    print(i, flush=True)
"""


def _kill_after(code: str, args: list[str], env: dict[str, str], at: int) -> int:
    """Run `code` in a subprocess, kill -9 it after it acknowledged `at` items; return the last acknowledged."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE, text=True)
    last = -1
    assert proc.stdout is not None
    for line in proc.stdout:
        last = int(line)
        if last >= at:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    return last


def disk_scenario(work: Path, entries: int = 400, *, kills: int = 3, seed: int = 3) -> Scenario:
    import sqlite3

    from benchmarks.journal import Journal
    from reviewer.llm.cache import ResponseCache

    rng = random.Random(seed)
    env = bench_env(work / "cache")
    sc = Scenario("disk", f"cache: {kills} writer processes x up to {entries} entries (2 KB); journal and "
                  f"atomic rewrites of reviews.csv-like files (up to 1 MB)",
                  "kill -9 in the middle of SQLite (WAL) writes, journal appends and atomic rewrites; "
                  "a half-written journal line")
    db = work / "cache" / "responses.sqlite"
    db.parent.mkdir(parents=True, exist_ok=True)
    acked: dict[str, int] = {}
    # Two writers at once (WAL: one writer at a time, any process); kill each at a random point.
    for k in range(kills):
        tag = f"w{k}"
        other = subprocess.Popen([sys.executable, "-c", CACHE_WRITER, str(db), f"bg{k}", str(entries // 4)],
                                 env=env, stdout=subprocess.DEVNULL)
        acked[tag] = _kill_after(CACHE_WRITER, [str(db), tag, str(entries)], env, rng.randint(1, entries - 2))
        other.wait()
        acked[f"bg{k}"] = entries // 4 - 1
    cache = ResponseCache(db)
    integrity = sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0]
    missing = [f"{t}-{i}" for t, last in acked.items() for i in range(last + 1) if cache.get(f"{t}-{i}") is None]
    wrong = [t for t, last in acked.items() if last >= 0 and cache.get(f"{t}-{last}").text != "x" * 2000 + str(last)]
    # Journal: kill during appends, then a hand-made half line on top.
    jpath = work / "run" / "results.jsonl"
    jacked = _kill_after(JOURNAL_WRITER, [str(jpath), "100000"], env, rng.randint(50, 400))
    with open(jpath, "ab") as f:
        f.write(b'{"paper_id": "half", "status": "do')
    journal = Journal(jpath)
    records = journal.read()
    journal.append({"paper_id": "after", "status": "done"})
    journal.close()
    after = Journal(jpath).read()
    journal_ok = (all(f"j{i:05d}" in records for i in range(jacked + 1)) and "half" not in records
                  and "after" in after and len(after) == len(records) + 1)
    # Atomic rewrites: the file is always one complete version.
    apath = work / "run" / "reviews.csv"
    atomic_checks = []
    for _ in range(kills):
        _kill_after(ATOMIC_WRITER, [str(apath), "100000"], env, rng.randint(5, 120))
        lines = apath.read_text().splitlines()
        n_rows = int(lines[1].split(",")[0]) if len(lines) > 1 else -1
        atomic_checks.append(len(lines) == n_rows + 1 and all(len(x) == len(lines[1]) for x in lines[1:]))
    stale = len(list(apath.parent.glob(".reviews.csv.*.tmp")))
    sc.details = {"missing": missing, "wrong": wrong, "integrity": integrity, "acked": acked}
    sc.figures = {
        "cache entries acknowledged before the kills": sum(v + 1 for v in acked.values()),
        "acknowledged entries missing after reopen": len(missing), "integrity_check": integrity,
        "journal records kept / acknowledged": f"{len(records)}/{jacked + 1}",
        "half line repaired": "half" not in records and journal_ok,
        "atomic file complete after each kill": atomic_checks, "stale temp files left": stale,
    }
    sc.ok = integrity == "ok" and not missing and not wrong and journal_ok and all(atomic_checks)
    sc.outcome = (f"cache readable (integrity {integrity}), {len(missing)} acknowledged entries lost; journal "
                  f"repaired ({len(records)} records kept); atomic files always complete: "
                  f"{'yes' if all(atomic_checks) else 'NO'}")
    return sc


# ---------------------------------------------------------------- scenario: bad papers

def _pdf_bytes(text: str = "A short real paper.", pages: int = 1) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for i in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"{text} Page {i + 1}. " * 20)
    return bytes(pdf.output())


def _encrypted_pdf() -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf_bytes())))
    w.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def _image_only_pdf(tmp: Path) -> bytes:
    from fpdf import FPDF
    from PIL import Image

    img = tmp / "scan.png"
    Image.new("RGB", (400, 300), (200, 180, 160)).save(img)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(str(img), x=10, y=10, w=180)
    return bytes(pdf.output())


def _many_pages_pdf(pages: int) -> bytes:
    """Built by repeating one page object: fast to make, `pages` real pages to a reader."""
    import io

    from pypdf import PdfReader, PdfWriter

    page = PdfReader(io.BytesIO(_pdf_bytes("A very long thesis."))).pages[0]
    w = PdfWriter()
    for _ in range(pages):
        w.add_page(page)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


# kind -> (file name suffix, must it be an error?)  None = reviewed or an error are both fine, but no crash
BAD_KINDS: dict[str, tuple[str, bool | None]] = {
    "empty_txt": (".txt", True), "zero_byte_pdf": (".pdf", True), "truncated_pdf": (".pdf", None),
    "header_only_pdf": (".pdf", True), "encrypted_pdf": (".pdf", True), "image_only_pdf": (".pdf", True),
    "pages_2000_pdf": (".pdf", None), "non_utf8_txt": (".txt", None), "binary_junk_pdf": (".pdf", True),
    "html_named_pdf": (".pdf", True), "whitespace_txt": (".txt", True), "directory_pdf": (".pdf", True),
    "symlink_loop_pdf": (".pdf", True), "dangling_symlink_pdf": (".pdf", True),
}


def make_bad_papers(papers: Path, tmp: Path, pages: int = 2000) -> dict[str, str]:
    """Write every bad kind into papers/ (paper id = kind); returns kind -> file name."""
    rng = random.Random(5)
    real = _pdf_bytes()
    data: dict[str, bytes] = {
        "empty_txt": b"", "zero_byte_pdf": b"", "truncated_pdf": real[: len(real) // 3],
        "header_only_pdf": b"%PDF-1.7\n", "encrypted_pdf": _encrypted_pdf(), "image_only_pdf": _image_only_pdf(tmp),
        "pages_2000_pdf": _many_pages_pdf(pages),
        "non_utf8_txt": "# Paper non_utf8_txt: Über naïve façades\n\nRésumé of a café study.\n".encode("latin-1")
        + bytes([0xFF, 0xFE, 0x81]) * 10,
        "binary_junk_pdf": bytes(rng.randrange(256) for _ in range(4096)),
        "html_named_pdf": b"<html><body>Not found</body></html>", "whitespace_txt": b"   \n\t\n  \n",
    }
    names = {}
    for kind, (suffix, _) in BAD_KINDS.items():
        path = papers / f"{kind}{suffix}"
        names[kind] = path.name
        if kind == "directory_pdf":
            path.mkdir()
            (path / "inside.txt").write_text("a directory is not a paper")
        elif kind == "symlink_loop_pdf":
            path.symlink_to(path.name)
        elif kind == "dangling_symlink_pdf":
            path.symlink_to("no_such_target.pdf")
        else:
            path.write_bytes(data[kind])
    return names


def add_rows(ds: Path, ids: list[str]) -> None:
    with open(ds / "ratings.tsv", "a") as f:
        for pid in ids:
            f.write("\t".join([pid, "5.0", "6.0", "3.0", "", "", "", "", "Reject"]) + "\n")


def bad_inputs_scenario(work: Path, n_good: int = 5, *, pages: int = 2000) -> Scenario:
    good = paper_ids(n_good)
    ds = synthetic_dataset(work / "ds", good)
    names = make_bad_papers(ds / "papers", work, pages)
    add_rows(ds, list(BAD_KINDS))
    out = work / "run"
    sc = Scenario("bad inputs", f"{len(BAD_KINDS)} kinds of bad paper + {n_good} good ones in one `bench run`",
                  ", ".join(k.replace("_", " ") for k in BAD_KINDS))
    with FakeServer() as srv:
        t0 = time.perf_counter()
        proc = subprocess.run(bench_cmd(ds, out, srv.base_url), env=bench_env(work / "cache"),
                              capture_output=True, text=True, timeout=600)
        seconds = time.perf_counter() - t0
    rows = {r["paper_id"]: r for r in read_reviews_csv(out / "reviews.csv")}
    per_kind: dict[str, dict[str, Any]] = {}
    for kind, (_, must_fail) in BAD_KINDS.items():
        err = rows.get(kind, {}).get("error")
        reviewed = kind in rows and err == "" and rows[kind]["Overall"] != ""
        names_file = bool(err) and names[kind] in err
        good_error = bool(err) and one_line(err) and names_file
        ok = (good_error or (reviewed and must_fail is not True)) and kind in rows
        per_kind[kind] = {"error": err, "reviewed": reviewed, "names_file": names_file, "ok": ok}
    good_ok = all(rows[p]["error"] == "" and rows[p]["Overall"] != "" for p in good)
    sc.details = {"per_kind": per_kind, "stderr": proc.stderr[-2000:], "rows": rows}
    sc.figures = {"kinds": len(BAD_KINDS), "recorded as one-line errors naming the file":
                  sum(1 for v in per_kind.values() if v["error"] and v["ok"]),
                  "reviewed anyway (readable)": [k for k, v in per_kind.items() if v["reviewed"]],
                  "not handled well": [k for k, v in per_kind.items() if not v["ok"]],
                  "good papers reviewed": f"{sum(rows[p]['error'] == '' for p in good)}/{n_good}",
                  "exit code": proc.returncode, "seconds": round(seconds, 1)}
    sc.ok = not crashed(proc) and good_ok and all(v["ok"] for v in per_kind.values())
    sc.outcome = (f"{sc.figures['recorded as one-line errors naming the file']} one-line errors naming the file, "
                  f"{len(sc.figures['reviewed anyway (readable)'])} readable and reviewed, "
                  f"{len(sc.figures['not handled well'])} mishandled; good papers {sc.figures['good papers reviewed']}; "
                  f"exit {proc.returncode}")
    return sc


# ---------------------------------------------------------------- scenario: bad model output

def _valid_review() -> dict[str, Any]:
    return {"Summary": "A fine paper.", "Strengths": ["clear"], "Weaknesses": ["small"], "Originality": 3,
            "Quality": 3, "Clarity": 3, "Significance": 2, "Questions": ["why?"], "Limitations": ["few"],
            "Ethical Concerns": False, "Soundness": 3, "Presentation": 3, "Contribution": 3, "Overall": 6,
            "Confidence": 4, "Decision": "Accept"}


def bad_outputs() -> dict[str, str]:
    """kind -> the model's message text (the same answer to the review request and to the repair round)."""
    v = _valid_review()
    wrong_types = {**v, "Overall": "6", "Soundness": "3.0", "Strengths": "clear and simple",
                   "Ethical Concerns": "no", "Decision": "accept"}
    return {
        "wrong_types": json.dumps(wrong_types),
        "out_of_range": json.dumps({**v, "Overall": 15, "Soundness": 0, "Confidence": 9}),
        "missing_fields": json.dumps({"Summary": "Only a summary.", "Overall": 6}),
        "extra_prose": "Sure! Here is my review.\n```json\n" + json.dumps(v) + "\n```\nI hope this helps.",
        "empty": "",
        "refusal": "I'm sorry, I can't review this.",
        "truncated_json": json.dumps(v)[:120],
        "json_array": json.dumps([v]),
        "null": "null",
        "python_literal": repr(v),
        "huge_prose": "This paper is interesting. " * 4000,
        "refusal_then_fixed": "I'm sorry, I can't review this.",  # answers the repair round correctly
    }


def bad_output_responder(kinds: dict[str, str]):
    def respond(body: dict[str, Any]) -> str:
        pid = paper_of(body)
        kind = pid.split("__")[0]
        is_repair = len(body.get("messages", [])) > 2
        if kind == "refusal_then_fixed" and is_repair:
            return json.dumps(_valid_review())
        if kind in kinds:
            return kinds[kind]
        return default_responder(body)
    return respond


def bad_output_scenario(work: Path, per_kind: int = 2, ensemble: int = 1) -> Scenario:
    kinds = bad_outputs()
    ids = [f"{k}__{i}" for k in kinds for i in range(per_kind)] + paper_ids(3)
    ds = synthetic_dataset(work / "ds", ids)
    out = work / "run"
    extra = ["--ensemble", str(ensemble)] if ensemble > 1 else []
    sc = Scenario(f"bad model output{' (ensemble ' + str(ensemble) + ')' if ensemble > 1 else ''}",
                  f"{len(ids)} papers: {per_kind} per kind + 3 good",
                  ", ".join(k.replace("_", " ") for k in kinds) + " (same bad answer to the repair round)")
    with FakeServer(responder=bad_output_responder(kinds)) as srv:
        proc = subprocess.run(bench_cmd(ds, out, srv.base_url, *extra), env=bench_env(work / "cache"),
                              capture_output=True, text=True, timeout=600)
        n_requests = srv.n_requests
    rows = {r["paper_id"]: r for r in read_reviews_csv(out / "reviews.csv")}
    outcome: dict[str, str] = {}
    in_range = True
    from reviewer.form import SCORE_RANGES

    for pid in ids:
        r = rows.get(pid)
        if r is None:
            outcome[pid] = "MISSING ROW"
        elif r["error"]:
            outcome[pid] = "recorded" if one_line(r["error"]) else "BAD ERROR"
        elif r["Overall"] != "":
            outcome[pid] = "reviewed"
            for name, (lo, hi) in SCORE_RANGES.items():
                if r.get(name, "") != "" and not lo <= float(r[name]) <= hi:
                    in_range = False
        else:
            outcome[pid] = "EMPTY ROW"
    by_kind = {k: Counter(outcome[f"{k}__{i}"] for i in range(per_kind)) for k in kinds}
    summary = {k: "/".join(sorted(c)) for k, c in by_kind.items()}
    sc.details = {"outcome": outcome, "rows": rows, "stderr": proc.stderr[-2000:]}
    sc.figures = {"outcome per kind": summary, "requests": n_requests, "scores in range": in_range,
                  "exit code": proc.returncode, "tracebacks": proc.stderr.count("Traceback")}
    sc.ok = (not crashed(proc) and in_range and all(o in ("reviewed", "recorded") for o in outcome.values())
             and all(outcome[p] == "reviewed" for p in paper_ids(3)))
    n_rev = sum(o == "reviewed" for o in outcome.values())
    sc.outcome = (f"{n_rev} reviewed (repaired), {sum(o == 'recorded' for o in outcome.values())} recorded with "
                  f"their reason, 0 lost; all scores in range: {in_range}; exit {proc.returncode}, "
                  f"{sc.figures['tracebacks']} tracebacks")
    return sc


# ---------------------------------------------------------------- the table

def _fmt(v: Any) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{k}: {x}" for k, x in v.items())
    if isinstance(v, list):
        return "[" + ", ".join(str(x) for x in v) + "]"
    return str(v)


def markdown(scenarios: list[Scenario], command: str, seconds: float) -> str:
    lines = ["# Reliability scenarios", "",
             f"Generated by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
             f"({seconds:.0f} s, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs). Do not edit by hand: "
             "re-run the script. Every `bench run` is a subprocess of the real CLI against the fake "
             "OpenAI-compatible server on 127.0.0.1 (reviewer/testing/fake_server.py) through the official SDK.", "",
             "| scenario | load | faults injected | outcome | figures | pass |", "|---|---|---|---|---|---|"]
    for s in scenarios:
        figs = "<br>".join(f"{k}: {_fmt(v)}".replace("|", "/") for k, v in s.figures.items())
        lines.append(f"| {s.name} | {s.load} | {s.faults} | {s.outcome} | {figs} | {'yes' if s.ok else '**NO**'} |")
    lines += ["", "The same scenarios run at small sizes in `tests/test_scenarios_*.py` (pytest).", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="test sizes and short time-outs")
    ap.add_argument("--out", default=str(REPO / "docs" / "reliability.md"))
    ap.add_argument("--only", nargs="*", help="scenario functions to run, e.g. faults crash")
    a = ap.parse_args()
    q = a.quick
    plan = {
        # A burst of 5 x C 500s first: some papers surely exhaust their 5 attempts, so the table shows a
        # re-run retrying exactly the failed ones; then the random mix.
        "faults": lambda w: faults_scenario(w, 100, latency_s=0.0 if q else 0.2,
                                            retry_after_s=0.1 if q else 1.0, timeout_s=0.5 if q else 3.0,
                                            hang_s=1.0 if q else 6.0, retry_base_s=0.05 if q else None,
                                            concurrency=8 if q else 16, sequence=["500"] * (40 if q else 80)),
        "crash": lambda w: crash_scenario(w, 40 if q else 200, kills=3 if q else 6, latency_s=0.05 if q else 0.1,
                                          concurrency=4 if q else 8),
        "disk": lambda w: disk_scenario(w, 400 if q else 3000, kills=3 if q else 5),
        "bad_inputs": lambda w: bad_inputs_scenario(w, 5 if q else 20),
        "bad_output": lambda w: bad_output_scenario(w, 2 if q else 5),
        "bad_output_ensemble": lambda w: bad_output_scenario(w, 1 if q else 3, ensemble=3),
    }
    results = []
    t0 = time.perf_counter()
    for name, fn in plan.items():
        if a.only and name not in a.only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"aisci-rel-{name}-") as tmp:
            t = time.perf_counter()
            sc = fn(Path(tmp))
            print(f"{name}: {'PASS' if sc.ok else 'FAIL'} in {time.perf_counter() - t:.0f}s: {sc.outcome}", flush=True)
            results.append(sc)
    text = markdown(results, "python benchmarks/perf/reliability.py" + (" --quick" if q else ""),
                    time.perf_counter() - t0)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(text)
    print(f"wrote {a.out}")
    return 0 if all(s.ok for s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
