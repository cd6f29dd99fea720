"""parse_review on malformed model answers (tests/fixtures/malformed: short snippets in the shapes seen
in the recorded AI Scientist reviews and in tiny local models' outputs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.form import FORM_FIELDS
from reviewer.json_repair import extract_json
from reviewer.parse import parse_reflection, parse_review

FIXTURES = Path(__file__).parent / "fixtures" / "malformed"

GOOD = {
    "Summary": "S", "Strengths": ["a"], "Weaknesses": ["b"], "Originality": 3, "Quality": 3, "Clarity": 3,
    "Significance": 3, "Questions": ["q"], "Limitations": ["l"], "Ethical Concerns": False, "Soundness": 3,
    "Presentation": 3, "Contribution": 3, "Overall": 6, "Confidence": 4, "Decision": "Accept",
}  # fmt: skip

# file -> expected Overall, Decision (parsed) or a substring of the error (unrecoverable)
PARSED = {
    "thought_layout.txt": (4, "Reject"),
    "csv_python_literals.txt": (5, "Reject"),
    "trailing_commas_prose.txt": (7, "Accept"),
    "key_case_string_numbers.txt": (6, "Accept"),
    "claude_free_text_ethics.txt": (6, "Accept"),
    "wrapped_review_string.txt": (8, "Accept"),
}
FAILED = {
    "truncated_loop.txt": "Strengths: missing",
    "truncated_after_scores.txt": "Decision: missing",
    "truncated_in_last_value.txt": "Originality: missing",
    "significance_out_of_range.txt": "Significance: must be an integer 1-4, got 5",
    "non_integer_overall.txt": "Overall: must be an integer 1-10, got 6.5",
    "refusal.txt": "looks like a refusal",
    "empty.txt": "empty answer",
    "whitespace.txt": "empty answer",
    "smollm2_free_text.txt": "no JSON object",
    "smollm2_schema_truncated.txt": "Strengths: missing",
}


def test_every_fixture_is_covered():
    assert {p.name for p in FIXTURES.glob("*.txt")} == set(PARSED) | set(FAILED)


@pytest.mark.parametrize("name", sorted(PARSED))
def test_recoverable(name):
    out = parse_review((FIXTURES / name).read_text())
    assert out.error is None, out.error
    assert (out.review.Overall, out.review.Decision) == PARSED[name]
    assert list(out.review.to_form()) == FORM_FIELDS


@pytest.mark.parametrize("name", sorted(FAILED))
def test_unrecoverable_gives_one_line_error(name):
    out = parse_review((FIXTURES / name).read_text())
    assert out.review is None
    assert FAILED[name] in out.error
    assert "\n" not in out.error


def test_normalizations_are_reported():
    out = parse_review((FIXTURES / "key_case_string_numbers.txt").read_text())
    r = out.review
    assert (r.Originality, r.Quality, r.Significance, r.Confidence) == (2, 3, 2, 4)
    assert r.Strengths == ["Large benchmark", "Many baselines"]
    assert r.Questions == ["Is the data licensed?"]
    assert r.Ethical_Concerns is False
    assert {"Overall", "Decision", "Ethical Concerns", "Strengths", "Quality"} <= set(out.repaired_fields)
    assert "code fence" in out.repairs


def test_free_text_ethical_concern_counts_as_true():
    out = parse_review((FIXTURES / "claude_free_text_ethics.txt").read_text())
    assert out.review.Ethical_Concerns is True
    assert "Ethical Concerns" in out.repaired_fields


@pytest.mark.parametrize("value,expected", [
    ("accept", "Accept"), ("ACCEPT", "Accept"), ("Accept (poster)", "Accept"), ("Accept (Oral)", "Accept"),
    ("Weak Accept", "Accept"), ("reject", "Reject"), ("Strong Reject", "Reject"),
    ("Reject, though I would accept a revision", "Reject"),
])  # fmt: skip
def test_decision_variants(value, expected):
    out = parse_review(json.dumps({**GOOD, "Decision": value}))
    assert out.review.Decision == expected


@pytest.mark.parametrize("value,expected", [("6", 6), ("6/10", 6), ("6.0", 6), (6.0, 6), ("8: Strong Accept", 8)])
def test_numbers_as_strings(value, expected):
    assert parse_review(json.dumps({**GOOD, "Overall": value})).review.Overall == expected


def test_missing_fields_listed():
    data = dict(GOOD)
    del data["Confidence"], data["Summary"]
    out = parse_review(json.dumps(data))
    assert out.review is None and "Summary: missing" in out.error and "Confidence: missing" in out.error


def test_single_quotes_with_apostrophes_and_python_literals():
    text = "{'Summary': 'The paper\\'s idea', 'Strengths': [\"it's fine\"], " + json.dumps(GOOD)[1:].replace(
        '"Summary": "S", "Strengths": ["a"], ', "").replace("false", "False")
    out = parse_review(text)
    assert out.error is None and out.review.Strengths == ["it's fine"]


def test_extra_keys_ignored_and_list_wrapping():
    out = parse_review(json.dumps([{**GOOD, "Comment": "x"}]))
    assert out.review is not None


def test_never_raises_on_garbage():
    for text in ["{", "}{", "[[[", "{'a': }", '{"Overall": "\\u12"}', "```json\n```", "{" * 5000, None]:
        out = parse_review(text)
        assert out.review is None and out.error


def test_extract_json_closes_nested_truncation():
    obj, notes, err = extract_json('{"a": [1, 2, {"b": "x')
    assert err is None and obj == {"a": [1, 2, {"b": "x"}]} and "truncated output closed" in notes


def test_reflection_json_and_marker():
    done = parse_reflection(json.dumps({"thought": "ok", "done": True, "review": GOOD}))
    assert done.done and done.outcome.review.Overall == 6
    more = parse_reflection(json.dumps({"thought": "fix", "done": False, "review": {**GOOD, "Overall": 4}}))
    assert not more.done and more.outcome.review.Overall == 4
    text = "THOUGHT: nothing to change. I am done\n\nREVIEW JSON:\n```json\n" + json.dumps(GOOD) + "\n```"
    marker = parse_reflection(text)
    assert marker.done and marker.outcome.review is not None
    bare = parse_reflection("I am done")
    assert bare.done and bare.outcome.review is None
