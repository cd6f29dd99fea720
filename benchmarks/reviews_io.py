"""Read reviews CSVs: the AI Scientist's recorded files and our run dirs alike.

The first 17 columns are the AI Scientist's (REVIEW_COLUMNS). List fields may be JSON or Python-literal
strings (the recorded files use `"['a', 'b']"`); both become lists. Score columns become numbers (an
unparsable cell becomes NaN, never an exception). `Ethical Concerns` becomes a bool when it is
True/False and stays free text otherwise (the Claude file has a few sentences there). Extra columns
that runs add (`p_accept`, `error`, tokens, cost, seconds, ...) are kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from reviewer.features import parse_list

REVIEW_COLUMNS: list[str] = [
    "paper_id", "Summary", "Questions", "Limitations", "Ethical Concerns", "Soundness", "Presentation",
    "Contribution", "Overall", "Confidence", "Strengths", "Weaknesses", "Originality", "Quality",
    "Clarity", "Significance", "Decision",
]  # fmt: skip
LIST_COLUMNS = ["Questions", "Limitations", "Strengths", "Weaknesses"]
SCORE_COLUMNS = [
    "Soundness", "Presentation", "Contribution", "Overall", "Confidence",
    "Originality", "Quality", "Clarity", "Significance",
]  # fmt: skip
# Extra columns a run may add that are numbers when present.
NUMERIC_EXTRAS = [
    "p_accept", "rating_calibrated", "input_tokens", "output_tokens", "cached_tokens",
    "cost_usd", "cost", "seconds", "latency_s",
]  # fmt: skip


class ReviewsError(ValueError):
    """A reviews file that cannot be used; the message names the file and the cause."""


def reviews_csv_path(path: str | Path) -> Path:
    """The CSV itself, or `<run dir>/reviews.csv`."""
    p = Path(path).expanduser()
    if p.is_dir():
        p = p / "reviews.csv"
    if not p.is_file():
        raise ReviewsError(f"{p}: no such reviews file (pass a CSV or a run dir containing reviews.csv)")
    return p


def _ethics(value: object) -> object:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    low = text.lower()
    if low in ("true", "yes", "1"):
        return True
    if low in ("false", "no", "0", ""):
        return False
    return text  # free-text concern: kept as written


def normalize_reviews(df: pd.DataFrame, source: str = "reviews") -> pd.DataFrame:
    """Apply the column conventions above to an in-memory frame (used by read_reviews)."""
    if "paper_id" not in df.columns:
        raise ReviewsError(f"{source}: no paper_id column (columns: {list(df.columns)[:8]} ...)")
    df = df.copy()
    df["paper_id"] = df["paper_id"].astype(str).str.strip().to_numpy(dtype=object)
    for col in REVIEW_COLUMNS:
        if col not in df.columns:
            df[col] = np.nan  # a run row with an error may lack fields; keep the 17-column contract
    for col in LIST_COLUMNS:
        df[col] = pd.Series([parse_list(v) for v in df[col]], index=df.index, dtype=object)
    for col in SCORE_COLUMNS + [c for c in NUMERIC_EXTRAS if c in df.columns]:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["Ethical Concerns"] = pd.Series([_ethics(v) for v in df["Ethical Concerns"]], index=df.index, dtype=object)
    for col in ("Summary", "Decision"):
        df[col] = pd.Series(
            [None if (isinstance(v, float) and np.isnan(v)) else str(v) for v in df[col]],
            index=df.index,
            dtype=object,
        )
    if "error" in df.columns:
        err = df["error"]
        df["error"] = pd.Series(
            [None if (v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "") else str(v)
             for v in err],
            index=df.index,
            dtype=object,
        )
    extras = [c for c in df.columns if c not in REVIEW_COLUMNS]
    return df[REVIEW_COLUMNS + extras]


def read_reviews(path: str | Path) -> pd.DataFrame:
    """Reviews from a CSV or a run dir (its reviews.csv); see the module docstring for conventions."""
    p = reviews_csv_path(path)
    try:
        # paper_id as text: OpenReview ids may look numeric or start with '-'.
        df = pd.read_csv(p, dtype={"paper_id": str}, keep_default_na=False, na_values=[""])
    except Exception as e:
        raise ReviewsError(f"{p}: cannot read as CSV ({e})") from e
    return normalize_reviews(df, source=str(p))
