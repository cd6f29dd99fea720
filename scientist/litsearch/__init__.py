"""Literature search for the novelty check: Semantic Scholar, OpenAlex, or an offline BM25 index.

`make_searcher("auto")` picks Semantic Scholar when S2_API_KEY is set, else the offline local index
(no network needed); a web backend that fails falls back to the local index (recorded in `.notes`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .base import Hit, LitSearch, SearchError
from .local_index import LocalIndex
from .openalex import OpenAlex
from .semantic_scholar import SemanticScholar

BACKENDS = ("auto", "local", "semantic_scholar", "openalex")


def default_papers_dir() -> Path:
    """../shared/data/iclr2022/papers relative to the repo, or $AISCI_SHARED_DATA/iclr2022/papers."""
    root = os.environ.get("AISCI_SHARED_DATA")
    base = Path(root) if root else Path(__file__).resolve().parents[3] / "shared" / "data"
    return base / "iclr2022" / "papers"


def local_index(directory: str | Path | None = None) -> LocalIndex:
    directory = Path(directory) if directory else default_papers_dir()
    if directory.resolve() == default_papers_dir().resolve():
        return LocalIndex(directory, venue="ICLR 2022 submission", year=2022,
                          url_pattern="https://openreview.net/forum?id={id}")
    return LocalIndex(directory)


class WithFallback:
    """Try the web backend; on failure search the local index and note why."""

    def __init__(self, primary: LitSearch, fallback: LitSearch | None):
        self.primary, self.fallback = primary, fallback
        self.name = primary.name + (f"+{fallback.name}" if fallback else "")
        self.notes: list[str] = []

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        try:
            return self.primary.search(query, limit)
        except SearchError as e:
            if self.fallback is None:
                raise
            self.notes.append(f"{e}; used {self.fallback.name} instead")
            return self.fallback.search(query, limit)


def make_searcher(backend: str = "auto", papers_dir: str | Path | None = None) -> LitSearch:
    if backend not in BACKENDS:
        raise SearchError(f"literature backend '{backend}': choose one of {', '.join(BACKENDS)}")
    if backend == "auto":
        backend = "semantic_scholar" if os.environ.get("S2_API_KEY") else "local"
    if backend == "local":
        return local_index(papers_dir)
    try:
        fallback: LitSearch | None = local_index(papers_dir)
    except SearchError:
        fallback = None
    primary: LitSearch = SemanticScholar() if backend == "semantic_scholar" else OpenAlex()
    return WithFallback(primary, fallback)


__all__ = ["BACKENDS", "Hit", "LitSearch", "LocalIndex", "OpenAlex", "SearchError", "SemanticScholar",
           "WithFallback", "default_papers_dir", "local_index", "make_searcher"]
