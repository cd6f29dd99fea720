"""Offline literature search: BM25 over a directory of paper texts (.txt/.md), e.g. ../shared/data/iclr2022/papers.

Pure Python (no extra dependency). Only the head of each paper (title, abstract, introduction) is
indexed: novelty is about what a paper claims, and full texts would drown that in method details.
The index is cached (gzipped JSON, keyed by the files' names, sizes and mtimes) so a second
process starts in a fraction of the build time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from collections import Counter
from pathlib import Path

from reviewer.llm.cache import default_cache_dir

from .base import Hit, SearchError

HEAD_CHARS = 8000
STOPWORDS = frozenset(
    "a an and are as at be by can for from has have in into is it its of on or our that the their this to "
    "we with which these those not but also than then such via using use used based paper show results "
    "method methods propose proposed approach new".split()
)
TOKEN = re.compile(r"[a-z0-9]+")
INDEX_VERSION = 2


def tokenize(text: str) -> list[str]:
    return [t for t in TOKEN.findall(text.lower()) if len(t) > 1 and t not in STOPWORDS]


def title_and_abstract(text: str) -> tuple[str, str]:
    """Title = the first heading (PDF-to-Markdown breaks headings: '## ' inside is glue), abstract
    = the text after an 'Abstract' line up to the next numbered/heading line."""
    lines = [ln.strip() for ln in text.splitlines()[:80]]

    def wordy(ln: str) -> bool:  # PDF conversion leaves symbol soup in some headings
        core = re.sub(r"[#*\s]", "", ln)
        return len(ln.split()) >= 2 and sum(c.isalpha() for c in core) >= 0.75 * max(1, len(core)) \
            and not re.match(r"\W*(abstract|published|under review)", ln, re.I)

    title = next((ln for ln in lines if ln.startswith("#") and wordy(ln)), next((ln for ln in lines if wordy(ln)), ""))
    title = re.sub(r"\s*#+\s*", " ", title).strip(" #*")
    if title.isupper():
        title = title.title()
    match = re.search(r"(?im)^\W*abstract\W*$(.+?)(?=^\W*(?:\d+\.?\s+[A-Z]|#))", text[:HEAD_CHARS], re.S)
    abstract = " ".join((match.group(1) if match else text[len(title):1500]).split())
    return title[:300], abstract[:2000]


class LocalIndex:
    """BM25 (k1=1.5, b=0.75) over title + abstract + head of each paper in `directory`."""

    def __init__(self, directory: str | Path, cache_dir: str | Path | None = None, k1: float = 1.5, b: float = 0.75,
                 *, venue: str | None = None, year: int | None = None, url_pattern: str | None = None):
        self.directory = Path(directory)
        if not self.directory.is_dir():
            raise SearchError(f"local index: {self.directory} is not a directory of paper texts")
        self.name = f"local:{self.directory.name}"
        self.k1, self.b = k1, b
        # What the directory's papers share (e.g. venue "ICLR 2022 submission"); url_pattern takes {id}.
        self.venue, self.year, self.url_pattern = venue, year, url_pattern
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir() / "litsearch_index"
        self.docs: list[dict] = []  # {id, title, abstract, tf}
        self.df: Counter[str] = Counter()
        self.avg_len = 0.0
        self.from_cache = False
        self._load_or_build()

    def _files(self) -> list[Path]:
        return sorted(p for p in self.directory.iterdir() if p.suffix in (".txt", ".md") and p.is_file())

    def _fingerprint(self, files: list[Path]) -> str:
        h = hashlib.sha256(f"{INDEX_VERSION}:{HEAD_CHARS}:{self.directory.resolve()}".encode())
        for p in files:
            st = p.stat()
            h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        return h.hexdigest()[:24]

    def _load_or_build(self) -> None:
        files = self._files()
        if not files:
            raise SearchError(f"local index: no .txt/.md papers in {self.directory}")
        path = self.cache_dir / f"{self._fingerprint(files)}.json.gz"
        if path.exists():
            try:
                self.docs = json.loads(gzip.decompress(path.read_bytes()))
                self.from_cache = True
            except (OSError, ValueError):
                self.docs = []  # a damaged cache is rebuilt
        if not self.docs:
            self.docs = [self._doc(p) for p in files]
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(gzip.compress(json.dumps(self.docs).encode(), compresslevel=3))
            tmp.replace(path)
        for d in self.docs:
            self.df.update(d["tf"].keys())
        self.avg_len = sum(d["len"] for d in self.docs) / len(self.docs)

    @staticmethod
    def _doc(path: Path) -> dict:
        with path.open(encoding="utf-8", errors="replace") as f:
            head = f.read(HEAD_CHARS)
        title, abstract = title_and_abstract(head)
        # The title and abstract count twice: they state the contribution.
        tokens = tokenize(f"{title} {abstract} {title} {abstract} {head}")
        return {"id": path.stem, "title": title, "abstract": abstract, "tf": dict(Counter(tokens)), "len": len(tokens)}

    def _idf(self, term: str) -> float:
        n, df = len(self.docs), self.df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        terms = set(tokenize(query))
        scored = []
        for d in self.docs:
            s = 0.0
            for t in terms:
                f = d["tf"].get(t)
                if f:
                    s += self._idf(t) * f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * d["len"] / self.avg_len))
            if s > 0:
                scored.append((s, d))
        scored.sort(key=lambda x: (-x[0], x[1]["id"]))
        return [
            Hit(title=d["title"], abstract=d["abstract"], source=self.name, score=round(s, 4),
                url=self.url_pattern.format(id=d["id"]) if self.url_pattern else None,
                venue=self.venue, year=self.year)
            for s, d in scored[:limit]
        ]
