"""GET JSON over HTTP with a SQLite response cache and backoff that honours Retry-After.

Stdlib only (urllib): the literature APIs are plain GET + JSON, and a repeated query must cost no
request at all (Semantic Scholar's shared unauthenticated pool rate-limits hard).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import random
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from reviewer.llm.cache import default_cache_dir

from .base import SearchError

RETRYABLE = {408, 429, 500, 502, 503, 504}


class HttpCache:
    """url -> JSON body. Thread-safe; entries older than `max_age_s` are refetched."""

    def __init__(self, path: str | Path | None = None, max_age_s: float = 30 * 86400):
        self.path = Path(path) if path else default_cache_dir() / "litsearch.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        with self._connect() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS http (key TEXT PRIMARY KEY, body TEXT, at REAL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    @staticmethod
    def key(url: str) -> str:
        return hashlib.sha256(url.encode()).hexdigest()

    def get(self, url: str) -> object | None:
        with self._lock, self._connect() as conn:
            row = conn.execute("SELECT body, at FROM http WHERE key = ?", (self.key(url),)).fetchone()
        if row is None or time.time() - row[1] > self.max_age_s:
            return None
        return json.loads(row[0])

    def put(self, url: str, body: object) -> None:
        with self._lock, self._connect() as conn:
            conn.execute("INSERT OR REPLACE INTO http VALUES (?, ?, ?)", (self.key(url), json.dumps(body), time.time()))


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class JsonClient:
    """One API's GET client: cache first, then up to `max_retries` retries on 429/5xx/network errors."""

    def __init__(self, name: str, base_url: str, *, headers: dict[str, str] | None = None,
                 cache: HttpCache | None | bool = True, max_retries: int = 4, backoff_s: float = 1.0,
                 max_wait_s: float = 60.0, timeout_s: float = 30.0):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.headers = {"User-Agent": "aisci-scientist/0.1", **(headers or {})}
        self.cache = HttpCache() if cache is True else (cache or None)
        self.max_retries, self.backoff_s, self.max_wait_s, self.timeout_s = max_retries, backoff_s, max_wait_s, timeout_s
        self.requests = 0  # requests actually sent (cache hits excluded)

    def get(self, path: str, params: dict[str, object], secret_params: dict[str, object] | None = None) -> object:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(sorted(params.items()))}"
        # The cache key leaves out headers and secret params (API keys): the answer does not depend on
        # who asks, and keys must not be written to disk.
        if self.cache is not None and (hit := self.cache.get(url)) is not None:
            return hit
        last = ""
        for attempt in range(self.max_retries + 1):
            wait = None
            try:
                self.requests += 1
                full = f"{url}&{urllib.parse.urlencode(sorted(secret_params.items()))}" if secret_params else url
                req = urllib.request.Request(full, headers=self.headers)
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                    body = json.loads(resp.read().decode("utf-8"))
                if self.cache is not None:
                    self.cache.put(url, body)
                return body
            except urllib.error.HTTPError as e:
                last = f"HTTP {e.code}"
                if e.code not in RETRYABLE:
                    raise SearchError(f"{self.name}: {last} for {path} ({e.read()[:200]!r})") from e
                wait = retry_after_seconds(e.headers.get("Retry-After"))
            except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError) as e:
                last = f"{type(e).__name__}: {e}"
            if attempt < self.max_retries:
                backoff = self.backoff_s * 2**attempt * (1 + random.random() * 0.25)
                time.sleep(min(self.max_wait_s, wait if wait is not None else backoff))
        raise SearchError(f"{self.name}: gave up after {self.max_retries + 1} attempts ({last})")
