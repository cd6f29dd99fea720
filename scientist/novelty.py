"""Novelty check: the model writes search queries, reads the closest papers found, and decides.

The verdict cites the hits it compared against (by number), so "novel" is never an unexplained
claim; those hits also become the paper's related-work citations.
"""

from __future__ import annotations

import asyncio
import json

from pydantic import BaseModel, Field

from reviewer.llm import GenerateConfig, Message, Model

from . import mock_answers  # noqa: F401  (registers mock/default answers for these tasks)
from .ideas import Idea
from .litsearch import Hit, LitSearch, SearchError

QUERY_SCHEMA = {
    "type": "object",
    "properties": {"query": {"type": "string", "maxLength": 200}, "done": {"type": "boolean"}},
    "required": ["query", "done"],
}
VERDICT_SCHEMA = {
    "type": "object",
    "properties": {
        "decision": {"type": "string", "enum": ["novel", "not_novel"]},
        # Bounds keep small local models (grammar-constrained) from running away in a list.
        "closest": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 50}, "maxItems": 3},
        "reasoning": {"type": "string", "maxLength": 1500},
    },
    "required": ["decision", "closest", "reasoning"],
}

SYSTEM = (
    "You are an ambitious AI researcher checking whether a research idea is novel. You search the "
    "literature, then decide. An idea is not novel when a found paper already does essentially the same "
    "thing; related work on the same topic alone does not make it not novel."
)


class NoveltyResult(BaseModel):
    decision: str  # "novel" | "not_novel" | "unknown" (the check itself failed; see error)
    closest: list[Hit] = Field(default_factory=list)  # the hits the verdict cites
    hits: list[Hit] = Field(default_factory=list)  # every distinct hit found (for citations)
    queries: list[str] = Field(default_factory=list)
    reasoning: str = ""
    backend: str = ""
    error: str | None = None

    @property
    def novel(self) -> bool:
        return self.decision != "not_novel"  # an unknown verdict does not discard an idea


def describe_hits(hits: list[Hit], abstract_chars: int = 600) -> str:
    if not hits:
        return "(no papers found)"
    rows = []
    for i, h in enumerate(hits):
        meta = ", ".join(str(x) for x in (h.venue, h.year) if x)
        cites = f", {h.citation_count} citations" if h.citation_count is not None else ""
        rows.append(f"[{i}] {h.title} ({meta}{cites})\n    {(h.abstract or '')[:abstract_chars]}")
    return "\n".join(rows)


def idea_text(idea: Idea) -> str:
    return json.dumps(idea.model_dump(include={"name", "title", "hypothesis", "experiment_plan"}), indent=1)


async def check_novelty(model: Model, idea: Idea, searcher: LitSearch, *, max_queries: int = 2,
                        limit: int = 8) -> NoveltyResult:
    """Up to `max_queries` searches (the model may stop early), then one verdict."""
    result = NoveltyResult(decision="unknown", backend=searcher.name)
    seen: dict[str, Hit] = {}
    for round_ in range(max_queries):
        prompt = (f"Idea:\n{idea_text(idea)}\n\nSearch round {round_ + 1} of {max_queries}. Papers found so far:\n"
                  f"{describe_hits(list(seen.values()), 200)}\n\nWrite one literature-search query (a few "
                  "keywords) that would find the closest existing work. Set done=true if the papers found "
                  "so far already suffice to decide.")
        out = await model.generate([Message(role="system", content=SYSTEM), Message(role="user", content=prompt)],
                                   GenerateConfig(temperature=0.0, max_tokens=200, json_schema=QUERY_SCHEMA,
                                                  schema_name="search_query", task="novelty_query"))
        parsed = out.parsed if isinstance(out.parsed, dict) else {}
        query = str(parsed.get("query") or "").strip()
        if parsed.get("done") and seen:
            break
        if not query:
            query = f"{idea.title}"  # a model that cannot write a query still gets a search
        result.queries.append(query)
        try:
            found = await asyncio.to_thread(searcher.search, query, limit)
        except SearchError as e:
            result.error = str(e)
            break
        for h in found:
            seen.setdefault(h.title.lower(), h)
    result.hits = list(seen.values())
    result.backend = searcher.name
    prompt = (f"Idea:\n{idea_text(idea)}\n\nThe closest papers found:\n{describe_hits(result.hits)}\n\n"
              "Decide whether the idea is novel. In `closest`, list the numbers [i] of the papers most similar "
              "to the idea (at most 3), and explain in `reasoning` how the idea differs from them or which paper "
              "already does it.")
    out = await model.generate([Message(role="system", content=SYSTEM), Message(role="user", content=prompt)],
                               GenerateConfig(temperature=0.0, max_tokens=800, json_schema=VERDICT_SCHEMA,
                                              schema_name="novelty_verdict", task="novelty"))
    verdict = out.parsed if isinstance(out.parsed, dict) else None
    if verdict is None or verdict.get("decision") not in ("novel", "not_novel"):
        result.error = (result.error or "") + f" unparseable novelty verdict: {out.text[:200]!r}"
        return result
    result.decision = verdict["decision"]
    result.reasoning = str(verdict.get("reasoning", ""))
    idx = [i for i in verdict.get("closest") or [] if isinstance(i, int) and 0 <= i < len(result.hits)]
    result.closest = [result.hits[i] for i in dict.fromkeys(idx)][:3]
    return result
