"""`bench run`: review every paper of a dataset, concurrently, resumably, never losing work.

Every paper of the selection gets a row in reviews.csv: a review, or its `error`. A re-run of the
same command skips finished papers and retries failed ones; model calls already made are served
from the response cache, so nothing is paid twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import errno
import gc
import io
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from tqdm import tqdm

from reviewer.injection_clf import default_scorer
from reviewer.injection_semantic import default_head
from reviewer.llm import CostCapReached, Model, UsageTracker, get_model
from reviewer.paper import PaperError
from reviewer.pipeline import ReviewerConfig, load_for_review, review

from .datasets import PAPER_SUFFIXES, Dataset
from .journal import Journal, atomic_write_text, remove_stale_temps
from .reviews_io import REVIEW_COLUMNS

LEAD_COLUMNS = ["p_accept", "rating_calibrated", "error", "input_tokens", "output_tokens", "cached_tokens",
                "cost_usd", "seconds"]
COST_CAP_ERROR = "not reviewed: cost cap reached"
FLUSH_EVERY_S = 2.0
FLUSH_SHARE = 0.05  # rewrites of reviews.csv/log.json may take at most this share of the run's time
LOADERS = 2  # papers loaded at once, ahead of the workers (loading is CPU-bound: the GIL serialises more)


def csv_text(records: list[dict[str, Any]], memo: dict[str, tuple[Any, tuple, str]] | None = None) -> str:
    """reviews.csv text. `memo` (paper_id -> (record, columns, line)) reuses the lines of records that
    did not change since the last rewrite, so a periodic rewrite of a big run stays cheap."""
    extra = sorted({k for r in records for k in r} - set(REVIEW_COLUMNS) - set(LEAD_COLUMNS) - {"status"})
    columns = REVIEW_COLUMNS + LEAD_COLUMNS + extra
    key = tuple(columns)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    parts = [buf.getvalue()]
    for r in records:
        hit = memo.get(r["paper_id"]) if memo is not None else None
        if hit is not None and hit[0] is r and hit[1] == key:
            parts.append(hit[2])
            continue
        buf.seek(0)
        buf.truncate()
        writer.writerow([_cell(r.get(k)) for k in columns])
        line = buf.getvalue()
        if memo is not None:
            memo[r["paper_id"]] = (r, key, line)
        parts.append(line)
    return "".join(parts)


def _cell(v: Any) -> Any:
    if isinstance(v, list | dict):
        return json.dumps(v)
    return "" if v is None else v


def git_revision() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in ("aisci", "openai", "anthropic", "pypdf", "xllamacpp"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def tune_gc_for_run() -> None:
    """Garbage-collector settings for a long concurrent run; the CLI calls it once, before the run.

    A run with 64 requests in flight allocates fast. With the defaults, a young-generation collection
    ran every 700 net allocations and a full one re-scanned the whole start-up heap (~140k objects of
    the SDK, pandas and pydantic): 0.3 ms of CPU per model call and 75-100 ms pauses of the event loop
    (benchmarks/perf/harness_overhead.py). So the start-up heap is frozen (full collections skip it)
    and the young threshold is 10,000. Reference counting still frees almost everything at once; only
    cyclic garbage waits a little longer."""
    gc.freeze()
    gc.set_threshold(10_000, *gc.get_threshold()[1:])


def missing_paper_error(papers: Path, pid: str) -> str:
    """Why papers/<pid>.* is not a readable file: names the entry and the cause in one line."""
    for suffix in PAPER_SUFFIXES:
        p = papers / f"{pid}{suffix}"
        if not os.path.lexists(p):
            continue
        if p.is_dir():
            return f"{p}: is a directory, not a paper file"
        try:
            os.stat(p)
        except OSError as e:
            cause = "symlink loop" if e.errno == errno.ELOOP else f"broken symlink ({e.strerror})"
            return f"{p}: {cause}" if p.is_symlink() else f"{p}: cannot read ({e.strerror})"
        return f"{p}: not a regular file"
    return f"{pid}: no paper file in {papers} (looked for {', '.join(PAPER_SUFFIXES)})"


class BenchRun:
    def __init__(self, ds: Dataset, out_dir: Path, config: ReviewerConfig, *, paper_ids: list[str],
                 concurrency: int = 8, max_cost: float | None = None, model: Model | None = None,
                 progress: bool = True, cache: bool = True):
        self.ds, self.out_dir, self.config = ds, Path(out_dir), config
        self.paper_ids = paper_ids
        self.concurrency = concurrency
        self.tracker = model.tracker if model else UsageTracker(max_cost_usd=max_cost)
        self.model = model or get_model(config.model, base_url=config.base_url, max_concurrency=concurrency,
                                        tracker=self.tracker, cache=cache)
        self.progress = progress
        self.journal = Journal(self.out_dir / "results.jsonl")
        remove_stale_temps(self.out_dir)  # left by a kill during an atomic rewrite
        self.records = self.journal.read()
        default_scorer()  # load the injection models (JSON) once, not in the first loader threads mid-run
        default_head()
        self.started = datetime.now(UTC).isoformat()
        self.cost_capped = False
        self._last_flush = 0.0
        self._flush_every = FLUSH_EVERY_S
        self._failed = {pid for pid in self.paper_ids if self.records.get(pid, {}).get("status") == "failed"}
        self._csv_memo: dict[str, tuple[Any, tuple, str]] = {}
        self._static: dict[str, Any] | None = None  # versions and git revision: looked up once per run
        self._writing: asyncio.Future | None = None  # a periodic rewrite of the run files, in a worker thread

    def check_config(self) -> None:
        log = self.out_dir / "log.json"
        if not log.exists():
            return
        old = json.loads(log.read_text()).get("config", {})
        new = self.config.model_dump(mode="json")
        defaults = type(self.config)().model_dump(mode="json")  # a run logged before a setting existed had its default
        keys = [k for k in new if k not in ("calibrator",) and old.get(k, defaults.get(k)) != new.get(k)]
        if keys:
            raise SystemExit(f"aisci: {self.out_dir} holds a run with other settings ({', '.join(keys)}); "
                             "use a new --out to compare settings, or the same flags to resume")

    def todo(self) -> list[str]:
        return [pid for pid in self.paper_ids if self.records.get(pid, {}).get("status") != "done"]

    async def load_one(self, pid: str) -> tuple[str, Any, float]:
        """(pid, the loaded Paper or the paper's failed record, seconds spent loading)."""
        start = time.perf_counter()
        path = self.ds.paper_path(pid)
        if path is None:
            return pid, {"paper_id": pid, "status": "failed",
                         "error": missing_paper_error(self.ds.root / "papers", pid)}, 0.0
        try:
            paper: Any = await asyncio.to_thread(load_for_review, path, self.config, self.model.name)
        except PaperError as e:
            paper = {"paper_id": pid, "status": "failed", "error": str(e)}
        except Exception as e:  # a loader bug on one paper never stops a run; the reason is recorded
            paper = {"paper_id": pid, "status": "failed", "error": f"{pid}: {type(e).__name__}: {e}"[:500]}
        return pid, paper, time.perf_counter() - start

    async def review_loaded(self, pid: str, paper: Any, load_s: float = 0.0) -> dict[str, Any]:
        if isinstance(paper, dict):  # it did not load: its failed record
            return paper
        start = time.perf_counter()
        result = await review(paper, self.config, model=self.model)
        row = {**result.to_row(), "paper_id": pid}
        row["seconds"] = round(load_s + time.perf_counter() - start, 3)
        row["status"] = "failed" if result.error else "done"
        return row

    async def review_one(self, pid: str) -> dict[str, Any]:
        return await self.review_loaded(*await self.load_one(pid))

    async def _load_ahead(self, todo: list[str], loaded: asyncio.Queue, slots: asyncio.Semaphore,
                          workers: int) -> None:
        """Load papers ahead of the workers (at most `concurrency` loaded and waiting), so a worker that
        finishes a paper sends the next paper's request at once: reading, sanitizing and checking the
        next paper overlaps the model calls in flight instead of sitting between them. One None per
        worker at the end tells the workers to stop."""
        pids = iter(todo)

        async def loader() -> None:
            for pid in pids:  # shared: each paper is taken by one loader
                await slots.acquire()  # released by the worker that takes the paper
                if self.cost_capped:
                    return
                loaded.put_nowait(await self.load_one(pid))

        try:
            await asyncio.gather(*(loader() for _ in range(LOADERS)))
        finally:
            for _ in range(workers):
                loaded.put_nowait(None)

    async def _worker(self, loaded: asyncio.Queue, slots: asyncio.Semaphore, bar: tqdm) -> None:
        while (item := await loaded.get()) is not None:
            slots.release()
            pid = item[0]
            if self.cost_capped:
                continue
            try:
                rec = await self.review_loaded(*item)
            except CostCapReached as e:
                self.cost_capped = True
                self.cap_message = str(e)
                continue
            except Exception as e:  # one bad paper never stops a run; the reason is recorded
                rec = {"paper_id": pid, "status": "failed", "error": f"{pid}: {type(e).__name__}: {e}"[:500]}
            self.records[pid] = rec
            self.journal.append(rec)
            (self._failed.add if rec.get("status") == "failed" else self._failed.discard)(pid)
            bar.update(1)
            bar.set_postfix(failed=len(self._failed), cost=f"${self.tracker.cost_usd:.4f}", refresh=False)
            if time.monotonic() - self._last_flush > self._flush_every and (
                    self._writing is None or self._writing.done()):
                self.flush_in_background()

    async def run(self) -> dict[str, Any]:
        self.check_config()
        todo = self.todo()
        n_workers = max(1, self.concurrency)
        loaded: asyncio.Queue[tuple[str, Any, float] | None] = asyncio.Queue()
        slots = asyncio.Semaphore(n_workers)
        done_before = len(self.paper_ids) - len(todo)
        with tqdm(total=len(self.paper_ids), initial=done_before, desc="reviewing", unit="paper",
                  disable=not self.progress, file=sys.stderr) as bar:
            feeder = asyncio.create_task(self._load_ahead(todo, loaded, slots, n_workers))
            workers = [asyncio.create_task(self._worker(loaded, slots, bar)) for _ in range(n_workers)]
            try:
                await asyncio.gather(*workers)
                await feeder
            finally:
                for task in (feeder, *workers):
                    task.cancel()
                if self._writing is not None:
                    with contextlib.suppress(Exception):  # the final flush writes the same files, raises the same
                        await self._writing
                self.flush(final=True)
                self.journal.close()
                await self.model.aclose()
        return self.summary()

    def rows(self) -> list[dict[str, Any]]:
        rows = []
        for pid in self.paper_ids:
            rec = self.records.get(pid)
            if rec is None:
                rec = {"paper_id": pid, "status": "pending",
                       "error": COST_CAP_ERROR if self.cost_capped else "not reviewed yet (run interrupted)"}
            rows.append(rec)
        return rows

    def summary(self) -> dict[str, Any]:
        return self.summary_of(self.rows())

    def summary_of(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "papers": len(rows),
            "done": sum(r.get("status") == "done" for r in rows),
            "failed": sum(r.get("status") == "failed" for r in rows),
            "pending": sum(r.get("status") == "pending" for r in rows),
            "cost_capped": self.cost_capped,
            **self.tracker.summary(),
        }

    def flush(self, final: bool = False) -> None:
        """Rewrite reviews.csv and log.json from the journal's records, now, in this thread."""
        self.journal.sync()
        self._write_files(*self._snapshot(), final=final, start=time.monotonic())

    def flush_in_background(self) -> None:
        """The periodic rewrite during a run: the texts are built here, in the event loop (a consistent
        snapshot: every record in them is already in the journal), and written, fsync'ed and renamed in
        a worker thread, so a slow disk (each fsync ~2-10 ms, more when the disk is busy) never stalls
        the requests in flight."""
        if self._writing is not None:
            self._writing.result()  # the last one failed (disk full...): fail the run, as a flush in the loop did
        start = time.monotonic()
        self._last_flush = start
        self._writing = asyncio.ensure_future(
            asyncio.to_thread(self._write_files, *self._snapshot(), final=False, start=start, fsync_journal=True))

    def _snapshot(self) -> tuple[str, list[dict[str, Any]]]:
        rows = self.rows()
        return csv_text(rows, self._csv_memo), rows

    def _write_files(self, csv_body: str, rows: list[dict[str, Any]], *, final: bool, start: float,
                     fsync_journal: bool = False) -> None:
        if fsync_journal:  # the journal reaches the disk at least as often as the files built from it
            self.journal.fsync()
        atomic_write_text(self.out_dir / "reviews.csv", csv_body)
        if self._static is None:
            self._static = {"versions": versions(), "git_revision": git_revision()}
        log = {
            "config": self.config.model_dump(mode="json"),
            "model": self.model.name,
            "dataset": str(self.ds.root),
            "dataset_hash": self.ds.hash(),
            **self._static,
            "cache": str(self.model.cache.path) if self.model.cache else None,
            "started": self.started,
            "ended": datetime.now(UTC).isoformat() if final else None,
            "summary": self.summary_of(rows),
            "papers": {r["paper_id"]: {"status": r.get("status"), "error": r.get("error"),
                                       "cost_usd": r.get("cost_usd"), "seconds": r.get("seconds")} for r in rows},
        }
        atomic_write_text(self.out_dir / "log.json", json.dumps(log, indent=1, default=str))
        self._last_flush = time.monotonic()
        # A big run's rewrite takes longer: space them so they stay a small share of the time.
        self._flush_every = max(FLUSH_EVERY_S, (self._last_flush - start) / FLUSH_SHARE)
