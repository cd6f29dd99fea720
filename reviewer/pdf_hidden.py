"""Text a PDF draws that a human reader cannot see: white fill, invisible render mode, sub-point size.

An author who hides "ignore previous instructions ..." in white or 0.5-point text in the PDF shows the
model something the human reviewers never read. The text extractor reads it like any other text, so the
page is extracted once more with pypdf's visitor callbacks, tracking the graphics state (fill colour,
text render mode, font size with the text and transformation matrices) for every piece of text shown.
"""

from __future__ import annotations

import math
import re
from typing import Any

WHITE = 0.95  # fill colour components at or above this count as white (on the usual white page)
MIN_POINTS = 1.0  # text drawn smaller than this is not readable
MIN_LETTERS = 20  # shorter hidden runs (a white tick label, a blank cell) are not reported
OCR_SHARE = 0.5  # a page mostly drawn invisibly is a scanned page's OCR text layer, not hiding
_INVISIBLE_MODES = {3, 7}  # 3: neither fill nor stroke; 7: clipping only


def _rgb(op: bytes, args: list[Any]) -> tuple[float, ...] | None:
    """The fill colour an operator sets, as RGB, or None (pattern or unknown colour space)."""
    try:
        v = [float(a) for a in args]
    except (TypeError, ValueError):
        return None
    if op == b"g" or (op in (b"sc", b"scn") and len(v) == 1):
        return (v[0],) * 3
    if op == b"rg" or (op in (b"sc", b"scn") and len(v) == 3):
        return tuple(v[:3])
    if op == b"k" or (op in (b"sc", b"scn") and len(v) == 4):
        c, m, y, k = v[:4]
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def _scale(m: Any) -> float:
    """Linear scale of a 2-D transformation matrix (a, b, c, d, e, f)."""
    try:
        return math.sqrt(abs(m[0] * m[3] - m[1] * m[2]))
    except (TypeError, IndexError):
        return 1.0


def extract_with_hidden(page: Any) -> tuple[str, list[str]]:
    """(the page's text as pypdf extracts it, the runs of hidden text on it with >= MIN_LETTERS letters)."""
    state: dict[str, Any] = {"fill": (0.0, 0.0, 0.0), "mode": 0}
    stack: list[dict[str, Any]] = []
    pieces: list[tuple[bool, str]] = []

    def before(op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if op == b"q":
            stack.append(dict(state))
        elif op == b"Q":
            if stack:
                state.update(stack.pop())
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            rgb = _rgb(op, args)
            if rgb is not None:
                state["fill"] = rgb
        elif op == b"Tr" and args:
            try:
                state["mode"] = int(args[0])
            except (TypeError, ValueError):
                pass

    def shown(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not text.strip():
            return
        try:
            points = float(size) * _scale(tm) * _scale(cm)
        except (TypeError, ValueError):
            points = MIN_POINTS
        hidden = (state["mode"] in _INVISIBLE_MODES or min(state["fill"]) >= WHITE or points < MIN_POINTS)
        pieces.append((hidden, text))

    try:
        text = page.extract_text(visitor_operand_before=before, visitor_text=shown) or ""
    except Exception:  # a page the state tracking trips on keeps its text, like any other page
        return page.extract_text() or "", []
    letters = [sum(c.isalpha() for c in piece) for _, piece in pieces]
    if sum(n for (h, _), n in zip(pieces, letters, strict=True) if h) > OCR_SHARE * max(1, sum(letters)):
        return text, []
    runs: list[str] = []
    current: list[str] = []
    for hidden, piece in [*pieces, (False, "")]:
        if hidden:
            current.append(piece)
        elif current:
            run = " ".join(" ".join(current).split())
            if sum(c.isalpha() for c in run) >= MIN_LETTERS:
                runs.append(run)
            current = []
    return text, runs


def hidden_spans(text: str, runs: list[str]) -> list[dict]:
    """Spans of `text` (the paper as the model sees it) where a hidden run appears; a run that sanitizing
    or the token budget removed has none."""
    spans = []
    for run in runs:
        words = run.split()[:12]  # line breaks and hyphenation may differ from the raw run; its start suffices
        m = re.search(r"\s+".join(re.escape(w) for w in words), text)
        if m:
            spans.append({"start": m.start(), "end": m.end(), "text": run[:300], "rule": "hidden_pdf_text"})
    return spans
