"""Dataset directories: human ratings + decisions, and the papers they belong to.

Format (ARCHITECTURE.md): `ratings.tsv` (or `ratings_subset.tsv`, the AI Scientist's name) with columns
`paper_id`, rating columns `0`..`6` (floats, empty when absent) and `decision`; papers in
`papers/<paper_id>.(txt|md|pdf)`; optional `llm_reviews/*.csv`. A paper is accepted when its decision
starts with `Accept`; the mean human rating is taken over the rating cells that are present.

Hugging Face export::

    from benchmarks.datasets import load_dataset, to_hf
    hf = to_hf(load_dataset("../shared/data/iclr2022"), with_text=True)
    hf.save_to_disk("out/iclr2022_hf")        # reload with datasets.load_from_disk("out/iclr2022_hf")
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # heavy import, only needed by to_hf
    import datasets as hf_datasets

RATINGS_FILES = ("ratings.tsv", "ratings_subset.tsv")
PAPER_SUFFIXES = (".txt", ".md", ".pdf")
ENV_VAR = "AISCI_DATA_DIR"


class DatasetError(ValueError):
    """A dataset dir that cannot be used; the message names the path and the cause."""


def resolve_dataset_dir(arg: str | None) -> Path:
    """The dataset dir from `--dataset`, else `$AISCI_DATA_DIR`; one clear error otherwise."""
    source = "--dataset"
    if not arg:
        arg, source = os.environ.get(ENV_VAR), ENV_VAR
    if not arg:
        raise DatasetError(
            f"no dataset: pass --dataset DIR or set {ENV_VAR} "
            "(get the ICLR 2022 benchmark with `aisci data fetch iclr2022`)"
        )
    path = Path(arg).expanduser()
    if not path.is_dir():
        raise DatasetError(f"dataset dir {path} (from {source}) does not exist or is not a directory")
    if _ratings_file(path) is None:
        raise DatasetError(f"dataset dir {path} (from {source}) has no {' or '.join(RATINGS_FILES)}")
    return path


def _ratings_file(root: Path) -> Path | None:
    return next((root / n for n in RATINGS_FILES if (root / n).is_file()), None)


@dataclass
class Dataset:
    root: Path
    ratings: pd.DataFrame  # paper_id, ratings (list[float]), mean_rating, n_ratings, decision, accepted
    ratings_file: Path | None = None  # found under root when not given
    _hash: str | None = field(default=None, repr=False)

    @property
    def paper_ids(self) -> list[str]:
        return self.ratings["paper_id"].tolist()

    @property
    def name(self) -> str:
        return self.root.resolve().name

    def paper_path(self, pid: str) -> Path | None:
        for suffix in PAPER_SUFFIXES:
            p = self.root / "papers" / f"{pid}{suffix}"
            if p.is_file():
                return p
        return None

    def hash(self) -> str:
        """sha256 of the ratings file: identifies the labels a result was computed against."""
        if self._hash is None:
            rf = self.ratings_file or _ratings_file(self.root)
            if rf is None:
                raise DatasetError(f"dataset dir {self.root}: no ratings file to hash")
            self._hash = hashlib.sha256(rf.read_bytes()).hexdigest()
        return self._hash

    def review_files(self) -> list[Path]:
        return sorted((self.root / "llm_reviews").glob("*.csv"))

    def __len__(self) -> int:
        return len(self.ratings)


def load_dataset(path: str | Path) -> Dataset:
    root = Path(path).expanduser()
    rf = _ratings_file(root) if root.is_dir() else None
    if rf is None:
        raise DatasetError(f"dataset dir {root}: no {' or '.join(RATINGS_FILES)} found")
    try:
        raw = pd.read_csv(rf, sep="\t", dtype={"paper_id": str, "decision": str}, keep_default_na=True)
    except Exception as e:  # pandas raises many kinds; the user needs the file and the cause
        raise DatasetError(f"{rf}: cannot read as TSV ({e})") from e
    missing = {"paper_id", "decision"} - set(raw.columns)
    if missing:
        raise DatasetError(f"{rf}: missing column(s) {sorted(missing)}")
    rating_cols = sorted((c for c in raw.columns if str(c).isdigit()), key=int)
    if not rating_cols:
        raise DatasetError(f"{rf}: no rating columns named 0..N")
    if raw["paper_id"].isna().any() or raw["paper_id"].duplicated().any():
        raise DatasetError(f"{rf}: empty or duplicated paper_id values")
    values = raw[rating_cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    ratings = [[float(v) for v in row if not np.isnan(v)] for row in values]
    n = np.array([len(r) for r in ratings])
    with np.errstate(invalid="ignore"):
        mean = np.where(n > 0, np.nansum(values, axis=1) / np.maximum(n, 1), np.nan)
    decision = raw["decision"].fillna("").astype(str).str.strip()
    df = pd.DataFrame(
        {
            "paper_id": raw["paper_id"].astype(str).to_numpy(dtype=object),
            "ratings": pd.Series(ratings, dtype=object),
            "mean_rating": mean,
            "n_ratings": n.astype(int),
            "decision": decision.to_numpy(dtype=object),
            "accepted": decision.str.startswith("Accept").to_numpy(dtype=bool),
        }
    )
    return Dataset(root=root, ratings=df, ratings_file=rf)


def _paper_text(path: Path | None) -> str | None:
    if path is None:
        return None
    if path.suffix == ".pdf":
        from pypdf import PdfReader  # lazy: only for PDF papers

        return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    return path.read_text(encoding="utf-8", errors="replace")


def to_hf(ds: Dataset, with_text: bool = False) -> hf_datasets.Dataset:
    """A Hugging Face `datasets.Dataset` (one row per paper); `.save_to_disk(dir)` to store it."""
    import datasets as hf_datasets

    r = ds.ratings
    cols: dict[str, list] = {
        "paper_id": r["paper_id"].tolist(),
        "ratings": [list(x) for x in r["ratings"]],
        "mean_rating": [None if np.isnan(x) else float(x) for x in r["mean_rating"]],
        "n_ratings": [int(x) for x in r["n_ratings"]],
        "decision": r["decision"].tolist(),
        "accepted": [bool(x) for x in r["accepted"]],
    }
    if with_text:
        cols["text"] = [_paper_text(ds.paper_path(pid)) for pid in cols["paper_id"]]
    features = hf_datasets.Features(
        {
            "paper_id": hf_datasets.Value("string"),
            "ratings": hf_datasets.Sequence(hf_datasets.Value("float64")),
            "mean_rating": hf_datasets.Value("float64"),
            "n_ratings": hf_datasets.Value("int64"),
            "decision": hf_datasets.Value("string"),
            "accepted": hf_datasets.Value("bool"),
            **({"text": hf_datasets.Value("string")} if with_text else {}),
        }
    )
    return hf_datasets.Dataset.from_dict(cols, features=features)
