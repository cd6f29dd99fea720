"""Crash-safe run files.

Each finished paper is appended to `results.jsonl` as one line and flushed to the operating system
at once (a `kill -9` loses at most the line being written, which is detected and cut off on the next
start); it is fsync'ed with every rewrite of the run files (so a power loss loses at most the last
seconds). The
human-facing files (`reviews.csv`, `log.json`) are rewritten from the journal with an atomic rename,
so a reader never sees a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_stale_temps(directory: Path) -> int:
    """Delete temp files that a killed atomic_write_text left behind (they are never read)."""
    n = 0
    for tmp in directory.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        n += 1
    return n


class Journal:
    def __init__(self, path: Path):
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._repair_tail()
        self._file = open(self.path, "a", encoding="utf-8")

    def _repair_tail(self) -> None:
        """Cut a half-written last line left by a crash."""
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with open(self.path, "r+b") as f:
                f.truncate(data.rfind(b"\n") + 1)

    def read(self) -> dict[str, dict[str, Any]]:
        """paper_id -> its latest record."""
        records: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError:
                    continue
                records[rec["paper_id"]] = rec
        return records

    def append(self, record: dict[str, Any]) -> None:
        # After flush() the line is in the operating system: a kill -9 of this process cannot lose it.
        # fsync (power loss) is grouped in sync(), called with every rewrite of the run files: one fsync
        # per paper would block the event loop ~5-10 ms each and cap a run at ~100 papers/s.
        self._file.write(json.dumps(record, default=str) + "\n")
        self._file.flush()

    def sync(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())

    def fsync(self) -> None:
        """fsync only, safe from another thread while this one appends: every append() has already
        flushed its line to the operating system, so this makes all of them durable."""
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self.sync()
            self._file.close()
