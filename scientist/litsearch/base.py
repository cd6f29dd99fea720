"""What every literature-search backend returns, and the interface they share."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel


class Hit(BaseModel):
    """One paper found by a search. Fields a backend does not know are None."""

    title: str
    abstract: str | None = None
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    citation_count: int | None = None
    source: str  # "semantic_scholar" | "openalex" | "local:<dir name>"
    authors: list[str] = []
    score: float | None = None  # backend's relevance score when it has one (BM25)

    def cite_key(self) -> str:
        """A stable BibTeX key: first author's surname (or first title word) + year + title word."""
        import re

        words = re.findall(r"[A-Za-z]+", self.title)
        surname = re.findall(r"[A-Za-z]+", self.authors[0])[-1:] if self.authors else []
        head = (surname or words[:1] or ["paper"])[0].lower()
        tail = next((w.lower() for w in words if len(w) > 3), "x")
        return f"{head}{self.year or ''}{tail}"


class SearchError(Exception):
    """A search backend failed for good (after retries); the message names the backend and cause."""


class LitSearch(Protocol):
    name: str

    def search(self, query: str, limit: int = 10) -> list[Hit]: ...
