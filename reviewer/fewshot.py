"""Few-shot examples: a directory of (paper text, review JSON) pairs.

Layout (the AI Scientist's, also ../shared/data/fewshot_examples): `<name>.txt` (or `.md`, or `.pdf`)
holds the paper and `<name>.json` its review, either `{"review": "<JSON string>"}` or the review object
itself. Examples are taken in name order; each paper is cut to a token budget (the full few-shot
papers would otherwise dwarf the paper under review).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel

from .form import Review
from .parse import parse_review

ENV_DIR = "AISCI_FEWSHOT_DIR"


class FewShotError(ValueError):
    """A few-shot directory or example that cannot be used (message names the file and the cause)."""


class FewShotExample(BaseModel):
    name: str
    paper_text: str
    review: Review
    truncated: bool = False


def _paper_file(json_path: Path) -> Path | None:
    for ext in (".txt", ".md", ".pdf"):
        p = json_path.with_suffix(ext)
        if p.is_file():
            return p
    return None


def load_example(json_path: Path, token_budget: int | None) -> FewShotExample:
    from .paper import fit_to_budget, load_paper  # lazy: paper.py pulls in pypdf

    try:
        raw = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise FewShotError(f"{json_path}: not a readable JSON file ({e})") from e
    inner = raw.get("review", raw) if isinstance(raw, dict) else raw
    outcome = parse_review(inner if isinstance(inner, str) else json.dumps(inner))
    if outcome.review is None:
        raise FewShotError(f"{json_path}: not a valid review ({outcome.error})")
    paper = _paper_file(json_path)
    if paper is None:
        raise FewShotError(f"{json_path}: no paper beside it ({json_path.stem}.txt, .md or .pdf)")
    if paper.suffix == ".pdf":
        text = load_paper(paper).text
    else:
        text = paper.read_text(encoding="utf-8", errors="replace")
    truncated = False
    if token_budget:
        text, truncated = fit_to_budget(text, token_budget)
    return FewShotExample(name=json_path.stem, paper_text=text, review=outcome.review, truncated=truncated)


def load_fewshot(directory: str | Path | None, n: int, token_budget: int | None = 2000) -> list[FewShotExample]:
    """The first `n` examples (name order) of `directory` (default: $AISCI_FEWSHOT_DIR)."""
    if n <= 0:
        return []
    if directory is None:
        directory = os.environ.get(ENV_DIR)
        if not directory:
            raise FewShotError(f"few-shot count {n} needs a directory: pass --fewshot-dir DIR or set {ENV_DIR}")
    d = Path(directory).expanduser()
    if not d.is_dir():
        raise FewShotError(f"{d}: few-shot directory not found")
    candidates = sorted(p for p in d.glob("*.json") if _paper_file(p) is not None)
    if len(candidates) < n:
        raise FewShotError(f"{d}: {n} few-shot examples asked, {len(candidates)} found (<name>.json + <name>.txt pairs)")
    return [load_example(p, token_budget) for p in candidates[:n]]
