"""Find and repair a JSON object in raw model text (no knowledge of the review form).

Handled: the AI Scientist's "THOUGHT: ... REVIEW JSON:" layout, code fences, prose around the JSON,
trailing commas, single-quoted strings (apostrophes inside words kept), Python literals
(True/False/None), raw newlines in strings, and truncated output (open strings and brackets closed;
a dangling last member dropped). `extract_json` never raises.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

_REFUSAL = re.compile(r"\b(I'?m sorry|I cannot|I can'?t|I am unable|I'?m unable|as an AI)\b", re.I)


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
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        try:  # the common case (structured output): no scan needed
            return _loads(stripped), notes, None
        except json.JSONDecodeError:
            pass
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
