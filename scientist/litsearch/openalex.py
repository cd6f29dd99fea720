"""OpenAlex works search (no key needed; OPENALEX_MAILTO joins the polite pool, OPENALEX_API_KEY if you have one)."""

from __future__ import annotations

import os

from .base import Hit
from .http_cache import HttpCache, JsonClient

BASE_URL = "https://api.openalex.org"
SELECT = "id,display_name,publication_year,primary_location,cited_by_count,abstract_inverted_index,authorships,doi"


def abstract_from_index(index: dict[str, list[int]] | None) -> str | None:
    """OpenAlex ships abstracts as word -> positions; put the words back in order."""
    if not index:
        return None
    slots = sorted((pos, word) for word, positions in index.items() for pos in positions)
    return " ".join(word for _, word in slots)


class OpenAlex:
    name = "openalex"

    def __init__(self, base_url: str | None = None, mailto: str | None = None, key: str | None = None,
                 cache: HttpCache | bool | None = True, **client_options):
        self.params: dict[str, object] = {}
        self.secret: dict[str, object] = {}
        if mailto := mailto or os.environ.get("OPENALEX_MAILTO"):
            self.params["mailto"] = mailto
        if key := key or os.environ.get("OPENALEX_API_KEY"):
            self.secret["api_key"] = key
        self.client = JsonClient(self.name, base_url or os.environ.get("OPENALEX_BASE_URL", BASE_URL),
                                 cache=cache, **client_options)

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        body = self.client.get("/works", {"search": query, "per-page": limit, "select": SELECT, **self.params},
                               self.secret)
        works = body.get("results") or [] if isinstance(body, dict) else []
        hits = []
        for w in works[:limit]:
            location = w.get("primary_location") or {}
            source = location.get("source") or {}
            hits.append(Hit(
                title=w.get("display_name") or "", abstract=abstract_from_index(w.get("abstract_inverted_index")),
                year=w.get("publication_year"), venue=source.get("display_name"),
                url=w.get("doi") or location.get("landing_page_url") or w.get("id"),
                citation_count=w.get("cited_by_count"),
                authors=[(a.get("author") or {}).get("display_name", "") for a in w.get("authorships") or []],
                source=self.name))
        return [h for h in hits if h.title]
