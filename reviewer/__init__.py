"""The reviewer: review a paper with the NeurIPS form using any LLM.

    import asyncio
    from reviewer import ReviewerConfig, review
    result = asyncio.run(review("paper.pdf", ReviewerConfig(model="openai/gpt-4o-mini", ensemble=5)))
    print(result.review.Overall, result.aggregate.mean["Overall"], result.cost_usd)

Names are imported lazily (PEP 562), so `import reviewer.llm` or `aisci --help` stay light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Review": "reviewer.form",
    "review_json_schema": "reviewer.form",
    "ParseOutcome": "reviewer.parse",
    "parse_review": "reviewer.parse",
    "FewShotExample": "reviewer.fewshot",
    "load_fewshot": "reviewer.fewshot",
    "ReviewerConfig": "reviewer.pipeline",
    "review": "reviewer.pipeline",
    "ReviewResult": "reviewer.result",
    "CallRecord": "reviewer.result",
    "Aggregate": "reviewer.result",
    "Paper": "reviewer.paper",
    "PaperError": "reviewer.paper",
    "load_paper": "reviewer.paper",
    "paper_from_text": "reviewer.paper",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'reviewer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
