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
import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from .form import FORM_FIELDS, LIST_FIELDS, SCORE_RANGES, Review


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
_REFUSAL = re.compile(r"\b(I'?m sorry|I cannot|I can'?t|I am unable|I'?m unable|as an AI)\b", re.I)


# --- finding and repairing the JSON ---------------------------------------------------------------
def _candidate(text: str, notes: list[str]) -> str | None:
    """The substring most likely to hold the answer's JSON object (may be truncated)."""
    marker = re.search(r"REVIEW\s+JSON\s*:?", text, re.I)
    if marker:
        text = text[marker.end():]
        notes.append("THOUGHT/REVIEW JSON layout")
    fences = re.findall(r"```[a-zA-Z]*\s*\n?(.*?)(?:```|$)", text, re.S)
    fenced = [f for f in fences if "{" in f]
    if fenced:
        notes.append("code fence")
        text = fenced[-1] if marker is None else fenced[0]
    start = text.find("{")
    if start < 0:
        return None
    if start > 0 and text[:start].strip() and not fenced and marker is None:
        notes.append("prose around JSON")
    end = _matching_brace(text, start)
    return text[start:] if end is None else text[start:end + 1]


def _matching_brace(text: str, start: int) -> int | None:
    depth, quote, escape = 0, None, False
    for i in range(start, len(text)):
        c = text[i]
        if quote:
            if escape:
                escape = False
            elif c == "\\":
                escape = True
            elif c == quote and _closes_string(text, i):
                quote = None
        elif c in "\"'" and _opens_string(text, i):
            quote = c
        elif c in "{[":
            depth += 1
        elif c in "}]":
            depth -= 1
            if depth == 0:
                return i
    return None


def _opens_string(text: str, i: int) -> bool:
    """A quote opens a string unless it is an apostrophe inside a bare word (it's, don't)."""
    if text[i] == '"':
        return True
    prev = text[i - 1] if i else " "
    return not prev.isalnum()


def _closes_string(text: str, i: int) -> bool:
    """A double quote always closes; a single quote only before , } ] : or the end (it's, don't)."""
    if text[i] == '"':
        return True
    rest = text[i + 1:].lstrip()
    return not rest or rest[0] in ",}]:"


def _normalize_json(s: str, notes: list[str]) -> tuple[str, list[str]]:
    """Rewrite to strict-ish JSON: single-quoted strings -> double, Python literals -> JSON, raw
    newlines escaped, trailing commas dropped. Returns the text and the stack of unclosed brackets."""
    out: list[str] = []
    stack: list[str] = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c in "\"'" and _opens_string(s, i):
            j, buf, closed = i + 1, [], False
            while j < n:
                d = s[j]
                if d == "\\" and j + 1 < n:
                    nxt = s[j + 1]
                    buf.append("'" if nxt == "'" else "\\" + nxt)
                    j += 2
                    continue
                if d == c and _closes_string(s, j):
                    closed = True
                    break
                if d == '"':
                    buf.append('\\"')
                elif d == "\n":
                    buf.append("\\n")
                elif d in "\r\t":
                    buf.append({"\r": "\\r", "\t": "\\t"}[d])
                else:
                    buf.append(d)
                j += 1
            if c == "'":
                notes.append("single quotes")
            out.append('"' + "".join(buf) + ('"' if closed else ""))
            if not closed:
                stack.append('"')
                break
            i = j + 1
            continue
        if c in "{[":
            stack.append("}" if c == "{" else "]")
        elif c in "}]":
            if stack and stack[-1] == c:
                stack.pop()
            # drop a trailing comma before a closer
            k = len(out) - 1
            while k >= 0 and out[k].isspace():
                k -= 1
            if k >= 0 and out[k] == ",":
                del out[k]
                notes.append("trailing comma")
        elif c.isalpha():
            m = re.match(r"[A-Za-z_]+", s[i:])
            word = m.group(0) if m else c
            mapped = {"True": "true", "False": "false", "None": "null"}.get(word)
            if mapped:
                notes.append("Python literals")
            out.append(mapped or word)
            i += len(word)
            continue
        out.append(c)
        i += 1
    return "".join(out), stack


def _loads(s: str) -> Any:
    return json.loads(s, strict=False)


def _close(text: str, stack: list[str]) -> Any:
    """Parse a truncated JSON text: close what is open; if that fails, cut back to earlier commas."""
    closers = "".join(ch for ch in reversed(stack) if ch != '"')
    head = text + ('"' if stack and stack[-1] == '"' else "")
    try:
        return _loads(head + closers)
    except json.JSONDecodeError:
        pass
    # Drop the dangling last member (e.g. `"Overall":` or a half-written key), one comma at a time.
    cut = head
    for _ in range(50):
        pos = cut.rfind(",")
        if pos < 0:
            break
        cut = cut[:pos]
        _, st = _normalize_json(cut, [])
        try:
            return _loads(cut + "".join(reversed([x for x in st if x != '"'])))
        except json.JSONDecodeError:
            continue
    if text.lstrip().startswith("{"):
        return {}  # cut right after the first key: nothing usable, validation reports what is missing
    raise ValueError("truncated JSON could not be closed")


def extract_json(text: str) -> tuple[Any, list[str], str | None]:
    """(object or None, repair notes, error). Never raises."""
    obj, notes, error = _extract(text)
    return obj, list(dict.fromkeys(notes)), error


def _extract(text: str) -> tuple[Any, list[str], str | None]:
    notes: list[str] = []
    if text is None or not str(text).strip():
        return None, notes, "empty answer"
    text = str(text)
    cand = _candidate(text, notes)
    if cand is None:
        snippet = " ".join(text.split())[:80]
        kind = "looks like a refusal" if _REFUSAL.search(text) else "no JSON object"
        return None, notes, f"no JSON object in the answer ({kind}): {snippet!r}"
    try:
        return _loads(cand), notes, None
    except json.JSONDecodeError:
        pass
    fixed, stack = _normalize_json(cand, notes)
    try:
        if stack:
            notes.append("truncated output closed")
            return _close(fixed, stack), notes, None
        return _loads(fixed), notes, None
    except (json.JSONDecodeError, ValueError):
        pass
    try:  # last resort: a Python dict literal (literal_eval evaluates literals only, never code)
        obj = ast.literal_eval(cand)
        notes.append("Python literal")
        return obj, notes, None
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None, notes, f"unparsable JSON in the answer: {' '.join(cand.split())[:80]!r}"


# --- field normalization ----------------------------------------------------------------------------
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
