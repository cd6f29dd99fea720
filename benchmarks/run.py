"""`bench run`: review every paper of a dataset, concurrently, resumably, never losing work.

Every paper of the selection gets a row in reviews.csv: a review, or its `error`. A re-run of the
same command skips finished papers and retries failed ones; model calls already made are served
from the response cache, so nothing is paid twice.
"""

from __future__ import annotations

import asyncio
import csv
import errno
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
        self.started = datetime.now(UTC).isoformat()
        self.cost_capped = False
        self._last_flush = 0.0
        self._flush_every = FLUSH_EVERY_S
        self._failed = {pid for pid in self.paper_ids if self.records.get(pid, {}).get("status") == "failed"}
        self._csv_memo: dict[str, tuple[Any, tuple, str]] = {}
        self._static: dict[str, Any] | None = None  # versions and git revision: looked up once per run

    def check_config(self) -> None:
        log = self.out_dir / "log.json"
        if not log.exists():
            return
        old = json.loads(log.read_text()).get("config", {})
        new = self.config.model_dump(mode="json")
        keys = [k for k in new if k not in ("calibrator",) and old.get(k) != new.get(k)]
        if keys:
            raise SystemExit(f"aisci: {self.out_dir} holds a run with other settings ({', '.join(keys)}); "
                             "use a new --out to compare settings, or the same flags to resume")

    def todo(self) -> list[str]:
        return [pid for pid in self.paper_ids if self.records.get(pid, {}).get("status") != "done"]

    async def review_one(self, pid: str) -> dict[str, Any]:
        start = time.perf_counter()
        base = {"paper_id": pid}
        path = self.ds.paper_path(pid)
        if path is None:
            return {**base, "status": "failed", "error": missing_paper_error(self.ds.root / "papers", pid)}
        try:
            paper = await asyncio.to_thread(load_for_review, path, self.config, self.model.name)
        except PaperError as e:
            return {**base, "status": "failed", "error": str(e)}
        result = await review(paper, self.config, model=self.model)
        row = {**result.to_row(), **base}
        row["seconds"] = round(time.perf_counter() - start, 3)
        row["status"] = "failed" if result.error else "done"
        return row

    async def _worker(self, queue: asyncio.Queue[str], bar: tqdm) -> None:
        while True:
            try:
                pid = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if self.cost_capped:
                continue
            try:
                rec = await self.review_one(pid)
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
            if time.monotonic() - self._last_flush > self._flush_every:
                self.flush()

    async def run(self) -> dict[str, Any]:
        self.check_config()
        todo = self.todo()
        queue: asyncio.Queue[str] = asyncio.Queue()
        for pid in todo:
            queue.put_nowait(pid)
        done_before = len(self.paper_ids) - len(todo)
        with tqdm(total=len(self.paper_ids), initial=done_before, desc="reviewing", unit="paper",
                  disable=not self.progress, file=sys.stderr) as bar:
            workers = [asyncio.create_task(self._worker(queue, bar)) for _ in range(max(1, self.concurrency))]
            try:
                await asyncio.gather(*workers)
            finally:
                for w in workers:
                    w.cancel()
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
        rows = self.rows()
        return {
            "papers": len(rows),
            "done": sum(r.get("status") == "done" for r in rows),
            "failed": sum(r.get("status") == "failed" for r in rows),
            "pending": sum(r.get("status") == "pending" for r in rows),
            "cost_capped": self.cost_capped,
            **self.tracker.summary(),
        }

    def flush(self, final: bool = False) -> None:
        start = time.monotonic()
        self.journal.sync()  # the journal reaches the disk at least as often as the files built from it
        rows = self.rows()
        atomic_write_text(self.out_dir / "reviews.csv", csv_text(rows, self._csv_memo))
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
            "summary": self.summary(),
            "papers": {r["paper_id"]: {"status": r.get("status"), "error": r.get("error"),
                                       "cost_usd": r.get("cost_usd"), "seconds": r.get("seconds")} for r in rows},
        }
        atomic_write_text(self.out_dir / "log.json", json.dumps(log, indent=1, default=str))
        self._last_flush = time.monotonic()
        # A big run's rewrite takes longer: space them so they stay a small share of the time.
        self._flush_every = max(FLUSH_EVERY_S, (self._last_flush - start) / FLUSH_SHARE)
