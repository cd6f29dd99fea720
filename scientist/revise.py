"""Turn a review into a revision plan: one new experiment (or none) and the writing changes."""

from __future__ import annotations

from reviewer.llm import GenerateConfig, Message, Model

from . import mock_answers  # noqa: F401  (registers mock/default answers for these tasks)
from .ideas import Idea

PLAN_SCHEMA = {
    "type": "object",
    "properties": {"experiment_change": {"type": "string", "maxLength": 1000},
                   "writing_changes": {"type": "array", "items": {"type": "string", "maxLength": 400}, "maxItems": 6}},
    "required": ["experiment_change", "writing_changes"],
}


async def plan_revision(model: Model, idea: Idea, weaknesses: str, questions: str, results: str) -> dict:
    """The review's weaknesses -> what to change: one experiment instruction (or "") and writing changes."""
    prompt = (f"Paper: {idea.title}\nHypothesis: {idea.hypothesis}\nCurrent results:\n{results}\n\n"
              f"The reviewer's weaknesses:\n{weaknesses}\n\nReviewer questions:\n{questions or '(none)'}\n\n"
              "Plan a revision. experiment_change: one concrete change to experiment.py that would address the most "
              "important experimental weakness within the same CPU budget, or \"\" if no new experiment is needed. "
              "writing_changes: how the text should change (a list). Never plan to claim results that were not run.")
    out = await model.generate([Message(role="system", content="You revise research papers after peer review."),
                                Message(role="user", content=prompt)],
                               GenerateConfig(temperature=0.2, max_tokens=800, json_schema=PLAN_SCHEMA,
                                              schema_name="revision_plan", task="revise_plan"))
    plan = out.parsed if isinstance(out.parsed, dict) else {}
    changes = plan.get("writing_changes") if isinstance(plan.get("writing_changes"), list) else []
    return {"experiment_change": str(plan.get("experiment_change") or ""),
            "writing_changes": [str(c) for c in changes] or ["Address each weakness listed by the reviewer."]}
