"""On-disk response cache: SQLite in WAL mode, safe across threads and processes.

Key = sha256 of (provider identity incl. base URL, messages, output-changing settings, sample index).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path

from .types import GenerateConfig, Message, Output


def default_cache_dir() -> Path:
    env = os.environ.get("AISCI_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "aisci"


def cache_key(identity: dict, messages: list[Message], config: GenerateConfig, sample_index: int) -> str:
    payload = {
        "identity": identity,
        "messages": [m.model_dump() for m in messages],
        "config": config.cache_fields(),
        "sample": sample_index,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_cache_dir() / "responses.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._conn() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, output TEXT NOT NULL)")

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # One connection per thread; WAL lets readers and one writer (any process) proceed together.
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, key: str) -> Output | None:
        row = self._conn().execute("SELECT output FROM responses WHERE key = ?", (key,)).fetchone()
        return Output.model_validate_json(row[0]) if row else None

    def put(self, key: str, output: Output) -> None:
        self._conn().execute(
            "INSERT OR REPLACE INTO responses (key, output) VALUES (?, ?)", (key, output.model_dump_json())
        )
