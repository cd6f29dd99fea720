"""Canned answers of `mock/default` for the reviewer's requests (review, reflection, meta_review, repair,
injection_judge).

Deterministic and schema-valid; the scores vary a little with a hash of the paper text so a mock
benchmark run does not give every paper the same review. They say nothing about paper quality.
"""

from __future__ import annotations

import hashlib
import json
import re

from .json_repair import extract_json
from .llm.providers.mock_answers import register_answer
from .llm.types import GenerateConfig, Message
from .parse import parse_review

_PAPER = re.compile(r"<paper>\n?(.*?)\n?</paper>", re.S)


def _paper_text(messages: list[Message]) -> str:
    blocks = [b for m in messages for b in _PAPER.findall(m.content)]
    if blocks:
        return max(blocks, key=len)  # the prompt also names the tags in a sentence
    return "\n".join(m.content for m in messages)


def canned_review(paper_text: str) -> dict:
    h = int(hashlib.sha256(paper_text.encode("utf-8", "replace")).hexdigest()[:8], 16)
    overall = 3 + h % 5  # 3..7
    sub = 2 if overall <= 4 else 3
    bump = (h >> 4) % 2
    title = next((ln.strip("# *") for ln in paper_text.splitlines() if ln.strip()), "the paper")[:80]
    return {
        "Summary": f"(mock review) The paper '{title}' proposes a method and evaluates it empirically.",
        "Strengths": ["The problem is relevant.", "The method is described in enough detail to follow."],
        "Weaknesses": ["The evaluation is limited to a few settings.", "Comparisons to strong baselines are missing."],
        "Originality": sub,
        "Quality": min(4, sub + bump),
        "Clarity": 3,
        "Significance": sub,
        "Questions": ["How does the method behave on larger benchmarks?"],
        "Limitations": ["The authors do not discuss failure cases."],
        "Ethical Concerns": False,
        "Soundness": min(4, sub + bump),
        "Presentation": 3,
        "Contribution": sub,
        "Overall": overall,
        "Confidence": 3 + (h >> 8) % 2,
        "Decision": "Accept" if overall >= 6 else "Reject",
    }


def _review_answer(messages: list[Message], config: GenerateConfig) -> dict:
    return canned_review(_paper_text(messages))


def _reflection_answer(messages: list[Message], config: GenerateConfig) -> dict:
    previous = next((m.content for m in reversed(messages) if m.role == "assistant"), None)
    outcome = parse_review(previous) if previous else None
    review = outcome.review.to_form() if outcome and outcome.review else canned_review(_paper_text(messages))
    return {"thought": "(mock) The review is consistent with the paper. I am done.", "done": True, "review": review}


def _meta_answer(messages: list[Message], config: GenerateConfig) -> dict:
    text = messages[-1].content
    chunks = re.split(r"\n\nReview \d+:\n", "\n\n" + text.split("\n\n", 1)[-1])
    reviews = []
    for chunk in chunks:
        obj, _, err = extract_json(chunk)
        if not err:
            out = parse_review(json.dumps(obj))
            if out.review:
                reviews.append(out.review.to_form())
    if not reviews:
        return canned_review(text)
    meta = dict(reviews[0])
    meta["Summary"] = "(mock meta-review) " + meta["Summary"]
    meta["Strengths"] = list(dict.fromkeys(s for r in reviews for s in r["Strengths"]))[:6]
    meta["Weaknesses"] = list(dict.fromkeys(s for r in reviews for s in r["Weaknesses"]))[:6]
    accepts = sum(r["Decision"] == "Accept" for r in reviews)
    meta["Decision"] = "Accept" if accepts * 2 > len(reviews) else "Reject"
    return meta


def _repair_answer(messages: list[Message], config: GenerateConfig) -> dict:
    return canned_review(_paper_text(messages))


def _judge_answer(messages: list[Message], config: GenerateConfig) -> dict:
    n = messages[-1].content.count("<passage id=")
    return {"passages": [{"id": i, "aimed_at_reviewer": False, "reason": "(mock) no judgement"}
                         for i in range(1, n + 1)]}


def register() -> None:
    register_answer("review", _review_answer)
    register_answer("reflection", _reflection_answer)
    register_answer("meta_review", _meta_answer)
    register_answer("repair", _repair_answer)
    register_answer("injection_judge", _judge_answer)


register()
