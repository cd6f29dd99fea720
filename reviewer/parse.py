"""Pull a review out of raw model text: find the JSON, repair it, normalize fields, validate.

Handled: code fences, the AI Scientist's "THOUGHT: ... REVIEW JSON: ```json {...}```" layout, extra
prose, trailing commas, single quotes, Python literals (True/False/None), truncated output (open
strings and brackets closed, a dangling last member dropped), wrong key case / spaces vs underscores,
numbers as strings ("6", "6/10", "6.0", "8: Strong Accept"), list fields given as one string, free-text
"Ethical Concerns", Decision variants ("accept", "Accept (poster)").
Out-of-range or missing fields give a one-line validation error (shown to the model for one repair
round by the pipeline). `parse_review` never raises.
"""

from __future__ import annotations

import ast
import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .form import FORM_FIELDS, LIST_FIELDS, SCORE_RANGES, Review
from .json_repair import extract_json


@dataclass
class ParseOutcome:
    review: Review | None
    error: str | None = None
    repaired_fields: list[str] = field(default_factory=list)  # form fields whose key/value was normalized
    repairs: list[str] = field(default_factory=list)  # human-readable notes, structural repairs included

    @property
    def ok(self) -> bool:
        return self.review is not None


@dataclass
class ReflectionOutcome:
    done: bool
    outcome: ParseOutcome  # outcome.review is None when the answer held no (valid) review
    thought: str = ""


_CANON = {re.sub(r"[\s_\-]", "", f.lower()): f for f in FORM_FIELDS}
_SYNONYMS = {
    "rating": "Overall", "overallrating": "Overall", "overallscore": "Overall", "score": "Overall",
    "ethics": "Ethical Concerns", "ethicalconcern": "Ethical Concerns", "ethicsconcerns": "Ethical Concerns",
    "strength": "Strengths", "weakness": "Weaknesses", "question": "Questions", "limitation": "Limitations",
    "recommendation": "Decision", "finaldecision": "Decision",
}  # fmt: skip


# --- field normalization ----------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)  # a handful of distinct keys, seen in every answer
def _canon_key(key: str) -> str | None:
    k = re.sub(r"[\s_\-]", "", str(key).lower())
    return _CANON.get(k) or _SYNONYMS.get(k)


def _score(name: str, value: Any) -> tuple[Any, bool]:
    """(normalized value, changed). Leaves unusable values as they are for validation to report."""
    if isinstance(value, bool):
        return value, False
    if isinstance(value, int):
        return value, False
    if isinstance(value, float):
        return (int(value), True) if value.is_integer() else (value, False)
    if isinstance(value, str):
        m = re.search(r"-?\d+(?:\.\d+)?", value)
        if m:
            num = float(m.group(0))
            return (int(num), True) if num.is_integer() else (num, True)
    return value, False


def _as_list(value: Any) -> tuple[Any, bool]:
    if isinstance(value, list):
        items = [v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list)) else str(v) for v in value]
        return items, any(not isinstance(v, str) for v in value)
    if value is None:
        return [], True
    if isinstance(value, str):
        s = value.strip()
        if not s:
            return [], True
        if s.startswith("["):
            for loader in (json.loads, ast.literal_eval):
                try:
                    got = loader(s)
                    if isinstance(got, list):
                        return [str(v) for v in got], True
                except (ValueError, SyntaxError, TypeError):
                    continue
        lines = [re.sub(r"^\s*(?:[-*•]|\d+[.)])\s*", "", ln).strip() for ln in s.splitlines()]
        return [ln for ln in lines if ln], True
    return value, False


def _bool(value: Any) -> tuple[Any, bool]:
    if isinstance(value, bool):
        return value, False
    if value is None:
        return False, True
    if isinstance(value, (int, float)):
        return bool(value), True
    if isinstance(value, str):
        s = value.strip().lower().rstrip(".")
        if s in ("true", "yes", "y", "1"):
            return True, True
        if s in ("", "false", "no", "n", "0", "none", "n/a", "na", "null") or re.match(r"(no|none|not)\b", s):
            return False, True
        return True, True  # free text describing a concern (seen in the recorded Claude reviews)
    return value, False


def _decision(value: Any) -> tuple[Any, bool]:
    if not isinstance(value, str):
        return value, False
    s = value.strip().lower()
    pos = {w: s.find(w) for w in ("accept", "reject")}
    found = {w: p for w, p in pos.items() if p >= 0}
    if not found:
        return value, False
    word = min(found, key=found.get)
    out = "Accept" if word == "accept" else "Reject"
    return out, out != value


def normalize_fields(obj: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """Canonical keys and normalized values: (data, repaired field names, notes)."""
    data: dict[str, Any] = {}
    repaired: list[str] = []
    notes: list[str] = []
    for key, value in obj.items():
        name = _canon_key(key)
        if name is None:
            continue
        if name != key:
            repaired.append(name)
            notes.append(f"key {key!r} -> {name!r}")
        if name in data:
            continue
        data[name] = value
    for name, value in list(data.items()):
        if name in SCORE_RANGES:
            new, changed = _score(name, value)
        elif name in LIST_FIELDS:
            new, changed = _as_list(value)
        elif name == "Ethical Concerns":
            new, changed = _bool(value)
        elif name == "Decision":
            new, changed = _decision(value)
        elif name == "Summary" and isinstance(value, list):
            new, changed = " ".join(str(v) for v in value), True
        else:
            new, changed = value, False
        if changed:
            data[name] = new
            if name not in repaired:
                repaired.append(name)
            notes.append(f"{name}: {str(value)[:40]!r} -> {str(new)[:40]!r}")
    return data, repaired, notes


def _unwrap(obj: Any) -> Any:
    """A review nested as {"review": {...}} / {"review": "<JSON>"} / [ {...} ] -> the inner object."""
    if isinstance(obj, list):
        obj = next((o for o in obj if isinstance(o, dict)), obj)
    if isinstance(obj, dict) and "review" in {k.lower() for k in obj}:
        inner = next(v for k, v in obj.items() if k.lower() == "review")
        if isinstance(inner, str):
            got, _, _ = extract_json(inner)
            inner = got
        if isinstance(inner, dict):
            return inner
    return obj


def validation_error_text(err: ValidationError) -> str:
    """One line: 'Overall: must be an integer 1-10, got 12; Confidence: missing'."""
    parts = []
    for e in err.errors():
        loc = str(e["loc"][0]) if e["loc"] else "review"
        loc = "Ethical Concerns" if loc == "Ethical_Concerns" else loc
        if e["type"] == "missing":
            parts.append(f"{loc}: missing")
        elif loc in SCORE_RANGES:
            lo, hi = SCORE_RANGES[loc]
            parts.append(f"{loc}: must be an integer {lo}-{hi}, got {e.get('input')!r}")
        elif loc == "Decision":
            parts.append(f"Decision: must be 'Accept' or 'Reject', got {e.get('input')!r}")
        else:
            parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def review_from_obj(obj: Any, notes: list[str] | None = None) -> ParseOutcome:
    notes = list(notes or [])
    obj = _unwrap(obj)
    if not isinstance(obj, dict):
        return ParseOutcome(None, f"expected a JSON object with the review fields, got {type(obj).__name__}", [], notes)
    data, repaired, more = normalize_fields(obj)
    notes += more
    try:
        return ParseOutcome(Review.model_validate(data), None, repaired, notes)
    except ValidationError as e:
        return ParseOutcome(None, "invalid review: " + validation_error_text(e), repaired, notes)


def parse_review(text: str | None) -> ParseOutcome:
    """Never raises: on failure `review` is None and `error` says why in one line."""
    try:
        obj, notes, error = extract_json(text or "")
        if error:
            return ParseOutcome(None, error, [], notes)
        return review_from_obj(obj, notes)
    except Exception as e:  # a parser bug must not end a run
        return ParseOutcome(None, f"parser error: {type(e).__name__}: {e}"[:200])


_DONE = re.compile(r"\bI\s+am\s+done\b", re.I)


def parse_reflection(text: str | None) -> ReflectionOutcome:
    """A reflection answer: {"thought", "done", "review"} JSON, or the AI Scientist's text layout with
    the "I am done" marker. Never raises."""
    try:
        said_done = bool(_DONE.search(text or ""))
        obj, notes, error = extract_json(text or "")
        if error:
            return ReflectionOutcome(said_done, ParseOutcome(None, error, [], notes))
        done, thought = said_done, ""
        if isinstance(obj, dict):
            lowered = {str(k).lower(): v for k, v in obj.items()}
            flag, _ = _bool(lowered.get("done", False))
            done = done or flag is True
            thought = str(lowered.get("thought", ""))
            if "review" in lowered and lowered["review"] in (None, "", {}):
                return ReflectionOutcome(done, ParseOutcome(None, "no review in the reflection answer"), thought)
        return ReflectionOutcome(done, review_from_obj(obj, notes), thought)
    except Exception as e:
        return ReflectionOutcome(False, ParseOutcome(None, f"parser error: {type(e).__name__}: {e}"[:200]))
