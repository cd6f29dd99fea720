"""Idea generation: N research ideas for a template, each refined by reflection rounds and
deduplicated against the seed ideas and every idea generated before it."""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, Field, field_validator

from reviewer.llm import GenerateConfig, Message, Model

from . import mock_answers  # noqa: F401  (registers mock/default answers for these tasks)

SCORE = {"type": "integer", "minimum": 1, "maximum": 10}
IDEA_PROPS = {  # maxLength bounds stop small local models (grammar-constrained) from running away
    "name": {"type": "string", "maxLength": 60},
    "title": {"type": "string", "maxLength": 200},
    "hypothesis": {"type": "string", "maxLength": 800},
    "experiment_plan": {"type": "string", "maxLength": 1200},
    "interestingness": SCORE,
    "feasibility": SCORE,
    "novelty": SCORE,
}
IDEA_SCHEMA = {"type": "object", "properties": IDEA_PROPS, "required": list(IDEA_PROPS)}
REFLECTION_SCHEMA = {"type": "object", "properties": {**IDEA_PROPS, "done": {"type": "boolean"}},
                     "required": [*IDEA_PROPS, "done"]}
ALIASES = {"experiment": "experiment_plan", "plan": "experiment_plan", "description": "hypothesis"}

SYSTEM = (
    "You are an ambitious AI researcher who proposes small, concrete research ideas that can be tested "
    "by editing one experiment script and running it on a CPU in minutes. Answer in JSON."
)


class Idea(BaseModel):
    name: str  # short snake_case identifier, used for directories
    title: str
    hypothesis: str
    experiment_plan: str
    interestingness: int = Field(ge=1, le=10)
    feasibility: int = Field(ge=1, le=10)
    novelty: int = Field(ge=1, le=10)

    @field_validator("name")
    @classmethod
    def _slug(cls, v: str) -> str:
        return normalize_name(v) or "idea"

    @classmethod
    def from_any(cls, data: dict) -> Idea:
        """Accept the AI Scientist's seed format too (Name, Title, Experiment, Interestingness, ...)."""
        d = {ALIASES.get(k.lower(), k.lower()): v for k, v in data.items()}
        d.setdefault("hypothesis", d.get("title", ""))
        for k in ("interestingness", "feasibility", "novelty"):
            d[k] = min(10, max(1, int(d.get(k) or 5)))
        return cls.model_validate({k: d[k] for k in IDEA_PROPS if k in d})


def normalize_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60]


def _tokens(text: str) -> set[str]:
    return {t for t in re.findall(r"[a-z0-9]+", text.lower()) if len(t) > 2}


def similarity(a: Idea, b: Idea) -> float:
    """Jaccard overlap of title + hypothesis words."""
    ta, tb = _tokens(f"{a.title} {a.hypothesis}"), _tokens(f"{b.title} {b.hypothesis}")
    return len(ta & tb) / max(1, len(ta | tb))


def duplicate_of(idea: Idea, earlier: list[Idea], threshold: float = 0.6) -> Idea | None:
    for other in earlier:
        if idea.name == other.name or similarity(idea, other) >= threshold:
            return other
    return None


def _parse(parsed: object) -> Idea | None:
    if not isinstance(parsed, dict):
        return None
    try:
        return Idea.from_any(parsed)
    except (ValueError, TypeError, KeyError):
        return None


def _context(description: str, earlier: list[Idea]) -> str:
    listed = "\n".join(f"- {i.name}: {i.title}" for i in earlier) or "(none)"
    return f"Template (the experiment you can modify):\n{description}\n\nIdeas that already exist (do not repeat them):\n{listed}"


async def generate_ideas(model: Model, description: str, seed_ideas: list[dict], n: int, *,
                         reflections: int = 2, previous: list[Idea] | None = None,
                         max_tries: int = 3) -> tuple[list[Idea], list[str]]:
    """Returns (new ideas, notes). Notes record duplicates and unparseable answers (never silent)."""
    seeds = [i for i in (_parse(s) for s in seed_ideas) if i is not None]
    earlier = [*seeds, *(previous or [])]
    examples = json.dumps([s.model_dump() for s in seeds[:3]], indent=1)
    new: list[Idea] = []
    notes: list[str] = []
    for k in range(n):
        feedback = ""
        for _ in range(max_tries):
            prompt = (f"{_context(description, earlier)}\n\nExample ideas (format):\n{examples}\n\n"
                      f"Propose new idea number {len(previous or []) + k + 1}.{feedback} Rate interestingness, "
                      "feasibility and novelty honestly from 1 to 10.")
            messages = [Message(role="system", content=SYSTEM), Message(role="user", content=prompt)]
            out = await model.generate(messages, GenerateConfig(temperature=0.7, max_tokens=1000, json_schema=IDEA_SCHEMA,
                                                                schema_name="idea", task="idea"))
            idea = _parse(out.parsed)
            if idea is None:
                notes.append(f"idea {k + 1}: unparseable answer {out.text[:120]!r}")
                feedback = " Your last answer was not a valid JSON idea with every field."
                continue
            idea = await _reflect(model, description, earlier, idea, reflections)
            dup = duplicate_of(idea, earlier)
            if dup is None:
                break
            notes.append(f"idea {k + 1}: '{idea.name}' duplicates '{dup.name}', asked again")
            feedback = f" Your last idea ('{idea.title}') repeated '{dup.title}'; propose something different."
            idea = None
        if idea is not None:
            new.append(idea)
            earlier.append(idea)
    return new, notes


async def _reflect(model: Model, description: str, earlier: list[Idea], idea: Idea, rounds: int) -> Idea:
    for r in range(rounds):
        prompt = (f"{_context(description, earlier)}\n\nRound {r + 1}/{rounds} of reflection on this idea:\n"
                  f"{idea.model_dump_json(indent=1)}\n\nCritically assess its quality, novelty and feasibility on "
                  "a CPU in minutes; return the improved idea (same format) and done=true if no change is needed.")
        out = await model.generate([Message(role="system", content=SYSTEM), Message(role="user", content=prompt)],
                                   GenerateConfig(temperature=0.3, max_tokens=1000, json_schema=REFLECTION_SCHEMA,
                                                  schema_name="idea_reflection", task="idea_reflection"))
        better = _parse({k: v for k, v in out.parsed.items() if k != "done"} if isinstance(out.parsed, dict) else None)
        if better is not None:
            idea = better
        if isinstance(out.parsed, dict) and out.parsed.get("done"):
            break
    return idea
