"""Literature search (local BM25 index; Semantic Scholar / OpenAlex clients against a real HTTP server on
127.0.0.1: 429 + Retry-After, cache hits, secrets kept out of the cache) and the novelty verdict."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from reviewer.llm import get_model
from scientist.ideas import Idea
from scientist.litsearch import LocalIndex, OpenAlex, SearchError, SemanticScholar, WithFallback
from scientist.litsearch.http_cache import HttpCache
from scientist.litsearch.local_index import title_and_abstract
from scientist.novelty import check_novelty

PAPERS = {
    "a1": "# GROKKING OF MODULAR ARITHMETIC\n\nABSTRACT\n\nSmall transformers trained on modular addition "
          "generalize long after overfitting, an effect called grokking; weight decay speeds it up.\n\n1 INTRODUCTION\n\nMore.",
    "b2": "# DENOISING DIFFUSION FOR POINT CLOUDS\n\nABSTRACT\n\nWe train a diffusion model on 2-D point sets and "
          "study the noise schedule.\n\n1 INTRODUCTION\n\nText.",
    "c3": "# CHARACTER LEVEL LANGUAGE MODELS\n\nABSTRACT\n\nA character-level recurrent language model on "
          "Shakespeare.\n\n1 INTRODUCTION\n\nText.",
}


@pytest.fixture
def papers(tmp_path):
    d = tmp_path / "papers"
    d.mkdir()
    for name, text in PAPERS.items():
        (d / f"{name}.txt").write_text(text)
    return d


def test_title_and_abstract():
    title, abstract = title_and_abstract(PAPERS["a1"])
    assert title == "Grokking Of Modular Arithmetic"
    assert abstract.startswith("Small transformers") and "INTRODUCTION" not in abstract


def test_local_index_ranks_and_caches(papers, tmp_path):
    ix = LocalIndex(papers, cache_dir=tmp_path / "ix")
    hits = ix.search("grokking weight decay modular addition", 3)
    assert hits[0].title.startswith("Grokking") and hits[0].source == "local:papers"
    assert all(h.score > 0 for h in hits)
    assert [h.title for h in ix.search("diffusion noise schedule", 1)] == ["Denoising Diffusion For Point Clouds"]
    assert ix.search("zzzz unknownword", 5) == []
    again = LocalIndex(papers, cache_dir=tmp_path / "ix")
    assert again.from_cache and again.search("grokking", 1)[0].title == hits[0].title
    (papers / "d4.txt").write_text("# GROKKING AGAIN\n\nABSTRACT\n\ngrokking grokking.\n\n1 INTRO\n")
    rebuilt = LocalIndex(papers, cache_dir=tmp_path / "ix")
    assert not rebuilt.from_cache and len(rebuilt.docs) == 4


def test_local_index_real_iclr_papers(shared_data, tmp_path):
    t0 = time.monotonic()
    ix = LocalIndex(shared_data / "iclr2022" / "papers", cache_dir=tmp_path / "ix")
    built = time.monotonic() - t0
    assert len(ix.docs) == 388 and built < 20
    hits = ix.search("diffusion probabilistic models sampling", 5)
    assert any("diffusion" in h.title.lower() for h in hits[:3])


class Api:
    """A tiny stand-in for Semantic Scholar / OpenAlex: scripted statuses, every request recorded."""

    def __init__(self, statuses: list[int], body: dict, retry_after: str = "0.3"):
        self.statuses, self.body, self.retry_after = list(statuses), body, retry_after
        self.requests: list[tuple[str, dict]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                api.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                status = api.statuses.pop(0) if api.statuses else 200
                payload = json.dumps(api.body if status == 200 else {"error": "x"}).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", api.retry_after)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


S2_BODY = {"total": 2, "data": [
    {"paperId": "p1", "title": "Grokking: Generalization Beyond Overfitting", "abstract": "We study grokking.",
     "year": 2022, "venue": "arXiv", "url": "https://s2/p1", "citationCount": 500, "authors": [{"name": "Alethea Power"}]},
    {"paperId": "p2", "title": "Omnigrok", "abstract": None, "year": 2023, "venue": "", "url": None,
     "citationCount": None, "authors": []},
]}


def test_semantic_scholar_backoff_retry_after_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("S2_API_KEY", "secret-s2-key")
    api = Api([429, 200], S2_BODY, retry_after="0.3")
    try:
        s2 = SemanticScholar(base_url=api.url, cache=HttpCache(tmp_path / "c.sqlite"), backoff_s=5.0)
        t0 = time.monotonic()
        hits = s2.search("grokking weight decay", 5)
        waited = time.monotonic() - t0
        assert 0.3 <= waited < 3  # honoured Retry-After (0.3 s), not the 5 s backoff
        assert len(api.requests) == 2
        path, headers = api.requests[-1]
        q = parse_qs(urlparse(path).query)
        assert urlparse(path).path == "/paper/search" and q["query"] == ["grokking weight decay"] and q["limit"] == ["5"]
        assert headers.get("x-api-key") == "secret-s2-key"
        assert hits[0].title.startswith("Grokking") and hits[0].citation_count == 500 and hits[0].authors == ["Alethea Power"]
        assert hits[1].venue is None and hits[1].source == "semantic_scholar"
        again = SemanticScholar(base_url=api.url, cache=HttpCache(tmp_path / "c.sqlite")).search("grokking weight decay", 5)
        assert again == hits and len(api.requests) == 2  # cache hit: no request
        dump = "\n".join(str(r) for r in sqlite3.connect(tmp_path / "c.sqlite").execute("SELECT * FROM http"))
        assert "secret-s2-key" not in dump
    finally:
        api.close()


def test_client_gives_up_and_non_retryable_fails_fast(tmp_path):
    api = Api([500, 500, 500, 400], S2_BODY)
    try:
        s2 = SemanticScholar(base_url=api.url, cache=False, max_retries=2, backoff_s=0.01)
        with pytest.raises(SearchError, match="gave up after 3 attempts"):
            s2.search("x")
        assert len(api.requests) == 3
        with pytest.raises(SearchError, match="HTTP 400"):
            s2.search("y")
        assert len(api.requests) == 4  # 400 is not retried
    finally:
        api.close()


def test_openalex_abstract_and_secret_param(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENALEX_API_KEY", "secret-oa")
    body = {"results": [{"id": "https://openalex.org/W1", "display_name": "Diffusion Models Beat GANs",
                         "publication_year": 2021, "cited_by_count": 3000,
                         "abstract_inverted_index": {"Diffusion": [0], "models": [1], "win.": [2]},
                         "primary_location": {"source": {"display_name": "NeurIPS"}}, "doi": "https://doi.org/x",
                         "authorships": [{"author": {"display_name": "Prafulla Dhariwal"}}]}]}
    api = Api([200], body)
    try:
        oa = OpenAlex(base_url=api.url, cache=HttpCache(tmp_path / "c.sqlite"))
        [hit] = oa.search("diffusion", 3)
        assert hit.abstract == "Diffusion models win." and hit.venue == "NeurIPS" and hit.year == 2021
        assert "api_key=secret-oa" in api.requests[0][0]
        oa.search("diffusion", 3)
        assert len(api.requests) == 1
        dump = "\n".join(str(r) for r in sqlite3.connect(tmp_path / "c.sqlite").execute("SELECT * FROM http"))
        assert "secret-oa" not in dump
    finally:
        api.close()


def test_fallback_to_local_index(papers, tmp_path):
    api = Api([503] * 5, S2_BODY)
    try:
        s = WithFallback(SemanticScholar(base_url=api.url, cache=False, max_retries=1, backoff_s=0.01),
                         LocalIndex(papers, cache_dir=tmp_path / "ix"))
        hits = s.search("grokking modular", 2)
        assert hits[0].source == "local:papers"
        assert s.notes and "used local:papers instead" in s.notes[0]
    finally:
        api.close()


IDEA = Idea(name="wd_grokking", title="Weight decay and grokking on modular arithmetic",
            hypothesis="Weight decay speeds up grokking.", experiment_plan="Sweep weight decay.",
            interestingness=6, feasibility=8, novelty=5)


async def test_check_novelty_mock_default(papers, tmp_path):
    result = await check_novelty(get_model("mock/default"), IDEA, LocalIndex(papers, cache_dir=tmp_path / "ix"))
    assert result.decision == "novel" and result.novel
    assert result.queries and result.hits
    assert all(h in result.hits for h in result.closest)


async def test_check_novelty_not_novel_cites_closest(papers, tmp_path):
    model = get_model("mock/scripted", script=[
        {"query": "grokking modular arithmetic weight decay", "done": False},
        {"query": "", "done": True},
        {"decision": "not_novel", "closest": [0, 7, 0], "reasoning": "Paper [0] already shows this."},
    ])
    result = await check_novelty(model, IDEA, LocalIndex(papers, cache_dir=tmp_path / "ix"))
    assert result.decision == "not_novel" and not result.novel
    assert [h.title for h in result.closest] == [result.hits[0].title]  # out-of-range and repeated indices dropped
    assert result.hits[0].title.startswith("Grokking")


async def test_check_novelty_unparseable_verdict_is_unknown(papers, tmp_path):
    model = get_model("mock/scripted", script=[{"query": "grokking", "done": True}, "I think it's novel!"])
    result = await check_novelty(model, IDEA, LocalIndex(papers, cache_dir=tmp_path / "ix"), max_queries=1)
    assert result.decision == "unknown" and "unparseable" in result.error and result.novel
