"""The NeurIPS review form (as used by the AI Scientist) as a pydantic model, and its JSON schema.

Field names are exactly the AI Scientist's CSV columns; "Ethical Concerns" has a space, so the Python
attribute is `Ethical_Concerns` with that alias. Dump with `review.to_form()` (aliases, form order).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Score fields and their inclusive ranges (NeurIPS form; Overall on the 1-10 NeurIPS scale).
SCORE_RANGES: dict[str, tuple[int, int]] = {
    "Originality": (1, 4),
    "Quality": (1, 4),
    "Clarity": (1, 4),
    "Significance": (1, 4),
    "Soundness": (1, 4),
    "Presentation": (1, 4),
    "Contribution": (1, 4),
    "Overall": (1, 10),
    "Confidence": (1, 5),
}
SCORE_FIELDS = list(SCORE_RANGES)
LIST_FIELDS = ["Strengths", "Weaknesses", "Questions", "Limitations"]
TEXT_FIELDS = ["Summary", *LIST_FIELDS]
# The order the form is presented and asked in (the AI Scientist's JSON order).
FORM_FIELDS = [
    "Summary", "Strengths", "Weaknesses", "Originality", "Quality", "Clarity", "Significance",
    "Questions", "Limitations", "Ethical Concerns", "Soundness", "Presentation", "Contribution",
    "Overall", "Confidence", "Decision",
]  # fmt: skip
# The AI Scientist's 17 reviews-CSV columns (benchmarks/reviews_io.py reads the same).
CSV_COLUMNS = [
    "paper_id", "Summary", "Questions", "Limitations", "Ethical Concerns", "Soundness", "Presentation",
    "Contribution", "Overall", "Confidence", "Strengths", "Weaknesses", "Originality", "Quality",
    "Clarity", "Significance", "Decision",
]  # fmt: skip

Decision = Literal["Accept", "Reject"]


def _score(name: str) -> Any:
    lo, hi = SCORE_RANGES[name]
    return Field(ge=lo, le=hi)


class Review(BaseModel):
    """One filled-in review form."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    Summary: str
    Strengths: list[str]
    Weaknesses: list[str]
    Originality: int = _score("Originality")
    Quality: int = _score("Quality")
    Clarity: int = _score("Clarity")
    Significance: int = _score("Significance")
    Questions: list[str]
    Limitations: list[str]
    Ethical_Concerns: bool = Field(alias="Ethical Concerns")
    Soundness: int = _score("Soundness")
    Presentation: int = _score("Presentation")
    Contribution: int = _score("Contribution")
    Overall: int = _score("Overall")
    Confidence: int = _score("Confidence")
    Decision: Decision

    def to_form(self) -> dict[str, Any]:
        """The 16 fields keyed by their form names ("Ethical Concerns"), in form order."""
        data = self.model_dump(by_alias=True)
        return {k: data[k] for k in FORM_FIELDS}

    def get(self, field: str) -> Any:
        return getattr(self, "Ethical_Concerns" if field == "Ethical Concerns" else field)


def review_json_schema(max_items: int = 6, max_len: int = 600, summary_len: int | None = None) -> dict[str, Any]:
    """JSON schema for structured output: every field required, integer scores as `enum`,
    `maxLength` on strings and `maxItems` on lists (tiny local models loop inside a string until
    max_tokens otherwise, truncating the JSON)."""

    def text(n: int) -> dict[str, Any]:
        return {"type": "string", "maxLength": n}

    def items() -> dict[str, Any]:
        return {"type": "array", "items": text(max_len), "maxItems": max_items}

    props: dict[str, dict[str, Any]] = {}
    for name in FORM_FIELDS:
        if name == "Summary":
            props[name] = text(summary_len or 2 * max_len)
        elif name in LIST_FIELDS:
            props[name] = items()
        elif name in SCORE_RANGES:
            lo, hi = SCORE_RANGES[name]
            props[name] = {"type": "integer", "enum": list(range(lo, hi + 1))}
        elif name == "Ethical Concerns":
            props[name] = {"type": "boolean"}
        else:  # Decision
            props[name] = {"type": "string", "enum": ["Accept", "Reject"]}
    return {
        "type": "object",
        "properties": props,
        "required": list(FORM_FIELDS),
        "additionalProperties": False,
    }


def reflection_json_schema(max_items: int = 6, max_len: int = 600) -> dict[str, Any]:
    """A reflection answer: a short thought, whether the reviewer is done, and the (revised) review."""
    return {
        "type": "object",
        "properties": {
            "thought": {"type": "string", "maxLength": max_len},
            "done": {"type": "boolean"},
            "review": review_json_schema(max_items, max_len),
        },
        "required": ["thought", "done", "review"],
        "additionalProperties": False,
    }
