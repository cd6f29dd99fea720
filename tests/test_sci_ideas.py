"""Idea generation: schema, reflection, deduplication against seeds and earlier ideas."""

from __future__ import annotations

import pytest

from reviewer.llm import get_model
from scientist.ideas import Idea, duplicate_of, generate_ideas, normalize_name, similarity
from scientist.templates import load_template

SEED = {"Name": "learning_rate_schedule", "Title": "Learning Rate Schedules and Grokking",
        "Experiment": "Try cosine and step schedules.", "Interestingness": 7, "Feasibility": 9, "Novelty": 4}


def idea(name: str, title: str, hypothesis: str = "It helps.") -> dict:
    return {"name": name, "title": title, "hypothesis": hypothesis, "experiment_plan": "Edit one constant.",
            "interestingness": 6, "feasibility": 8, "novelty": 5}


def test_idea_from_seed_format_and_names():
    i = Idea.from_any(SEED)
    assert i.name == "learning_rate_schedule" and i.experiment_plan.startswith("Try cosine")
    assert i.hypothesis == i.title  # seeds without a hypothesis borrow the title
    assert normalize_name("Weight-Decay & Grokking!") == "weight_decay_grokking"
    with pytest.raises(ValueError):
        Idea.model_validate({**idea("a", "b"), "novelty": 11})


def test_similarity_and_duplicates():
    a = Idea.model_validate(idea("wd", "Weight decay speeds up grokking", "Weight decay speeds up grokking on modular tasks."))
    b = Idea.model_validate(idea("wd_2", "Weight decay speeds up grokking", "Weight decay speeds grokking on modular tasks."))
    c = Idea.model_validate(idea("lr", "Cosine schedules for diffusion models", "Cosine schedules reduce loss."))
    assert similarity(a, b) > 0.6 > similarity(a, c)
    assert duplicate_of(b, [c, a]) is a
    assert duplicate_of(c, [a]) is None
    assert duplicate_of(Idea.model_validate(idea("LR", "Something else entirely")), [c]) is c  # same normalized name


async def test_generate_with_mock_default_gives_distinct_valid_ideas():
    t = load_template("grokking")
    ideas, notes = await generate_ideas(get_model("mock/default"), t.description, t.seed_ideas, 3, reflections=1)
    assert len(ideas) == 3 and len({i.name for i in ideas}) == 3
    assert all(1 <= i.feasibility <= 10 for i in ideas)
    seeds = [Idea.from_any(s) for s in t.seed_ideas]
    assert all(duplicate_of(i, seeds) is None for i in ideas)


async def test_duplicates_are_rejected_and_reflection_is_applied():
    first = idea("weight_decay_grokking", "Weight decay speeds up grokking")
    model = get_model("mock/scripted", script=[
        first, {**first, "title": "Weight decay speeds up grokking on modular arithmetic", "done": True},
        first, {**first, "done": True},  # a duplicate of idea 1 (same name) ...
        "not json at all",  # ... then garbage ...
        idea("attention_temperature", "Attention temperature and generalisation"),  # ... then a new idea
        {**idea("attention_temperature", "Attention temperature and generalisation"), "done": True},
    ])
    ideas, notes = await generate_ideas(model, "A template.", [SEED], 2, reflections=1, max_tries=3)
    assert [i.name for i in ideas] == ["weight_decay_grokking", "attention_temperature"]
    assert ideas[0].title.endswith("modular arithmetic")  # the reflection's improvement was kept
    assert any("duplicates 'weight_decay_grokking'" in n for n in notes)
    assert any("unparseable" in n for n in notes)


async def test_previous_ideas_are_avoided_and_seeds_count_as_existing():
    model = get_model("mock/scripted", script=[idea("learning_rate_schedule", "Learning Rate Schedules and Grokking"),
                                               idea("learning_rate_schedule", "Learning Rate Schedules and Grokking"),
                                               idea("learning_rate_schedule", "Learning Rate Schedules and Grokking")])
    ideas, notes = await generate_ideas(model, "T", [SEED], 1, reflections=0, max_tries=3)
    assert ideas == [] and len(notes) == 3  # never silently returns a copy of a seed
