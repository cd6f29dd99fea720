"""Semantic Scholar Graph API paper search (key optional: S2_API_KEY or SEMANTIC_SCHOLAR_API_KEY)."""

from __future__ import annotations

import os

from .base import Hit
from .http_cache import HttpCache, JsonClient

BASE_URL = "https://api.semanticscholar.org/graph/v1"
FIELDS = "title,abstract,year,venue,url,citationCount,authors"


def api_key() -> str | None:
    return os.environ.get("S2_API_KEY") or os.environ.get("SEMANTIC_SCHOLAR_API_KEY")


class SemanticScholar:
    name = "semantic_scholar"

    def __init__(self, base_url: str | None = None, key: str | None = None,
                 cache: HttpCache | bool | None = True, **client_options):
        key = key or api_key()
        # Without a key every user shares one rate-limited pool: back off longer by default.
        client_options.setdefault("backoff_s", 1.0 if key else 2.0)
        self.client = JsonClient(self.name, base_url or os.environ.get("S2_BASE_URL", BASE_URL),
                                 headers={"x-api-key": key} if key else None, cache=cache, **client_options)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        body = self.client.get("/paper/search", {"query": query, "limit": limit, "fields": FIELDS})
        papers = (body or {}).get("data") or [] if isinstance(body, dict) else []
        return [
            Hit(title=p.get("title") or "", abstract=p.get("abstract"), year=p.get("year"),
                venue=p.get("venue") or None, url=p.get("url"), citation_count=p.get("citationCount"),
                authors=[a.get("name", "") for a in p.get("authors") or []], source=self.name)
            for p in papers[:limit] if p.get("title")
        ]
