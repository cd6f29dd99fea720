"""Canned answers of `mock/default` for the scientist's tasks: deterministic and schema-valid, so the
whole loop runs offline. They are plumbing for tests, not research: the ideas are generic tweaks."""

from __future__ import annotations

import json
import re

from reviewer.llm.providers.mock_answers import register_answer
from reviewer.llm.types import GenerateConfig, Message

CANNED_IDEAS = [
    ("lower_learning_rate", "Does a smaller learning rate change final accuracy?",
     "Halving the learning rate slows early progress but improves the final validation metric.",
     "Halve LEARNING_RATE in experiment.py and compare the final metrics with the baseline."),
    ("stronger_weight_decay", "Stronger regularisation with weight decay",
     "Doubling weight decay speeds up generalisation at a small cost in training loss.",
     "Double the weight decay constant in experiment.py and compare with the baseline."),
    ("narrower_model", "How narrow can the model be?",
     "A model of half the width reaches a similar validation metric in less time.",
     "Halve the hidden width constant in experiment.py and compare metrics and run time."),
    ("longer_warmup", "Longer learning-rate warm-up stabilises training",
     "A warm-up twice as long reduces loss spikes and improves the final metric.",
     "Double the warm-up steps constant in experiment.py and compare with the baseline."),
    ("smaller_batches", "Smaller batches as implicit regularisation",
     "Halving the batch size adds gradient noise that improves generalisation.",
     "Halve the batch size constant in experiment.py and compare with the baseline."),
]


def _last_user(messages: list[Message]) -> str:
    return next((m.content for m in reversed(messages) if m.role == "user"), "")


def idea(messages: list[Message], config: GenerateConfig) -> dict:
    prompt = _last_user(messages)
    for name, title, hypothesis, plan in CANNED_IDEAS:
        if f"- {name}:" not in prompt:
            return {"name": name, "title": title, "hypothesis": hypothesis, "experiment_plan": plan,
                    "interestingness": 5, "feasibility": 9, "novelty": 4}
    n = len(re.findall(r"^- ", prompt, re.M))
    return {"name": f"variant_{n}", "title": f"Variant {n} of the baseline", "hypothesis": f"Variant {n} differs.",
            "experiment_plan": "Change one constant in experiment.py.", "interestingness": 3, "feasibility": 9,
            "novelty": 2}


def _json_after(marker: str, text: str) -> dict | None:
    start = text.find(marker)
    if start < 0:
        return None
    try:
        return json.JSONDecoder().raw_decode(text[text.index("{", start):])[0]
    except ValueError:
        return None


def idea_reflection(messages: list[Message], config: GenerateConfig) -> dict:
    found = _json_after("reflection on this idea:", _last_user(messages)) or idea(messages, config)
    return {**found, "done": True}


def novelty_query(messages: list[Message], config: GenerateConfig) -> dict:
    found = _json_after("Idea:", _last_user(messages)) or {}
    return {"query": str(found.get("title", "baseline experiment")), "done": "[0]" in _last_user(messages)}


def novelty(messages: list[Message], config: GenerateConfig) -> dict:
    prompt = _last_user(messages)
    closest = [i for i in range(3) if f"[{i}]" in prompt]
    return {"decision": "novel", "closest": closest,
            "reasoning": "Mock verdict: none of the listed papers tests this exact change on this template."}


def writeup(messages: list[Message], config: GenerateConfig) -> dict:
    prompt = _last_user(messages)
    section = (re.search(r"^Section: (.+)$", prompt, re.M) or [None, "Section"])[1]
    keys = re.findall(r"^\s*\[@([\w:.-]+)\]", prompt, re.M)
    figs = re.findall(r"^\s*\[(fig:[\w.-]+)\]", prompt, re.M)
    cite = f" Related work exists [@{keys[0]}]." if keys else ""
    fig = f" See [{figs[0]}] and [tab:results]." if figs and section in ("Results", "Experimental Setup") else ""
    text = (f"This {section.lower()} describes the idea and its test on the template at smoke size "
            f"(mock text, 100% deterministic).{cite}{fig}")
    return {"content": text}


def revise_plan(messages: list[Message], config: GenerateConfig) -> dict:
    weakness = (re.search(r"^- (.+)$", _last_user(messages), re.M) or [None, "the evaluation is thin"])[1]
    return {"experiment_change": f"Run one more configuration of the idea to address: {weakness[:200]}",
            "writing_changes": [f"Discuss the weakness: {weakness[:200]}"]}


for _task, _fn in {"idea": idea, "idea_reflection": idea_reflection, "novelty_query": novelty_query,
                   "novelty": novelty, "writeup": writeup, "revise_plan": revise_plan}.items():
    register_answer(_task, _fn)
