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


def cache_keys(identity: dict, messages: list[Message], config: GenerateConfig, n: int) -> list[str]:
    """[cache_key(identity, messages, config, i) for i in range(n)], with the request (the whole paper
    and the answer schema) serialised once instead of n times: the keys are the same strings."""
    head = json.dumps({"config": config.cache_fields(), "identity": identity,
                       "messages": [m.model_dump() for m in messages]}, sort_keys=True, default=str)
    # "sample" sorts last, so the full payload's JSON is `head` with `, "sample": i` before its closing brace.
    prefix = head[:-1] + ', "sample": '
    return [hashlib.sha256(f"{prefix}{i}}}".encode()).hexdigest() for i in range(n)]


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
        self.put_many([(key, output)])

    def put_many(self, items: list[tuple[str, Output]]) -> None:
        """Store the samples of one request in one transaction (one WAL commit instead of n)."""
        rows = [(key, output.model_dump_json()) for key, output in items]
        if not rows:
            return
        conn = self._conn()
        if len(rows) == 1:
            conn.execute("INSERT OR REPLACE INTO responses (key, output) VALUES (?, ?)", rows[0])
            return
        with conn:  # BEGIN ... COMMIT (ROLLBACK on error)
            conn.execute("BEGIN")
            conn.executemany("INSERT OR REPLACE INTO responses (key, output) VALUES (?, ?)", rows)
