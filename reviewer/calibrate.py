"""Calibrate a reviewer on human data: reviews -> honest P(accept), a human-scale rating and a decision.

Model (everything fitted on the training papers only; predict needs only numpy and the JSON):
1. features (reviewer/features.py), plus `text_score`: a TF-IDF ridge regression of the mean human
   rating on the review text (reviewer/text_features.py; vocabulary, idf and weights learned on the
   training papers; out-of-fold there, and for new papers the average of the inner-fold models),
   missing values imputed with training medians, standardized. Two feature sets are fitted: `base`
   (numeric fields, extras, text statistics) and `extended` (plus `text_score` and panel spreads); the
   extended set is kept only if its inner-CV log loss beats base's by more than one standard error
   (reviewer/_calibrate_fit.py: choose_feature_set), else the file has no text model;
2. rating head: ridge regression of the mean human rating (alpha and feature group chosen by inner
   K-fold CV, mean squared error); `rating_calibrated` = its prediction clipped to the venue's scale;
3. probability head, by `method`:
   - "logistic": the better, by inner-CV log loss, of (a) an L2 logistic regression on the features
     (C and feature group chosen by inner CV) and (b) Platt scaling of the rating head's cross-fitted
     output (2 parameters);
   - "isotonic": isotonic regression of acceptance on the rating head's cross-fitted output;
4. threshold: chosen on the training papers only — the training accept rate (the plug-in threshold that
   maximizes expected balanced accuracy for calibrated probabilities) or a target accept rate (quantile
   of the inner cross-fitted probabilities).

Saved as JSON (schema below). Loading parses JSON and validates every field (pydantic, extra keys
forbidden, finite numbers, consistent lengths); nothing in the file is ever executed or unpickled.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .features import TEXT_SCORE, panel_features, row_features
from .text_features import TextModel, paper_fields
from .text_features import review_fields as text_fields

SCHEMA_VERSION = 2  # written by this build; 2 added `text_model` (and panel spread features)
READABLE_VERSIONS = (1, 2)  # version 1 files (no text model) load and predict as before
MAX_FILE_BYTES = 5_000_000
RATING_RANGE = (1.0, 10.0)  # ICLR 2022 / NeurIPS overall scale
P_CLIP = 1e-3  # never claim certainty: probabilities are kept in [P_CLIP, 1 - P_CLIP]


class CalibratorError(ValueError):
    """A calibrator that cannot be fitted, loaded or applied; the message names the cause."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Params(_Strict):
    impute: list[float]  # training medians, one per feature
    center: list[float]
    scale: list[float]
    prob_head: Literal["logistic", "platt_on_rating", "isotonic"]
    prob_coef: list[float] | None = None  # logistic head, on standardized features
    prob_intercept: float | None = None
    platt: list[float] | None = None  # [a, b]: p = sigmoid(a * rating_raw + b)
    isotonic_x: list[float] | None = None  # knots: p = interp(rating_raw, x, y)
    isotonic_y: list[float] | None = None
    rating_coef: list[float]
    rating_intercept: float
    rating_range: list[float] = Field(default_factory=lambda: list(RATING_RANGE))


class CalibratorModel(_Strict):
    schema_version: int
    kind: Literal["aisci.calibrator"] = "aisci.calibrator"
    method: Literal["logistic", "isotonic"]
    n_reviewers: int = Field(ge=1, le=64)
    features: list[str] = Field(max_length=10_000)
    params: Params
    threshold: float = Field(ge=0.0, le=1.0)
    threshold_rule: Literal["balanced_accuracy", "accept_rate"]
    target_accept_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    hyper: dict[str, float | str | int | None] = Field(default_factory=dict)
    fitted_on: dict[str, str | int | float | list[str] | None] = Field(default_factory=dict)
    cv_metrics: dict[str, Any] | None = None
    text_model: TextModel | None = None  # schema_version >= 2: computes the feature `text_score`

    @model_validator(mode="after")
    def _check(self) -> CalibratorModel:
        if self.schema_version not in READABLE_VERSIONS:
            raise ValueError(f"schema_version {self.schema_version} is not supported (this build reads {READABLE_VERSIONS})")
        if (TEXT_SCORE in self.features) != (self.text_model is not None):
            raise ValueError(f"feature {TEXT_SCORE!r} and text_model must come together")
        if self.text_model is not None and self.schema_version < 2:
            raise ValueError("text_model needs schema_version >= 2")
        k, p = len(self.features), self.params
        vecs = {"impute": p.impute, "center": p.center, "scale": p.scale, "rating_coef": p.rating_coef}
        if p.prob_head == "logistic":
            vecs["prob_coef"] = p.prob_coef or []
            if p.prob_intercept is None:
                raise ValueError("logistic head without prob_intercept")
        for name, v in vecs.items():
            if len(v) != k:
                raise ValueError(f"params.{name} has {len(v)} values for {k} features")
        if any(s <= 0 for s in p.scale):
            raise ValueError("params.scale must be positive")
        if p.prob_head == "platt_on_rating" and (p.platt is None or len(p.platt) != 2):
            raise ValueError("platt head needs params.platt = [a, b]")
        if p.prob_head == "isotonic":
            x, y = p.isotonic_x or [], p.isotonic_y or []
            if not x or len(x) != len(y) or any(b < a for a, b in zip(x, x[1:], strict=False)):
                raise ValueError("isotonic head needs increasing isotonic_x and as many isotonic_y")
        return self


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


class Calibrator:
    """A fitted calibrator. Build with `Calibrator.fit(...)` or `Calibrator.load(path)`."""

    def __init__(self, model: CalibratorModel):
        self.model = model
        p = model.params
        self._impute = np.asarray(p.impute, float)
        self._center = np.asarray(p.center, float)
        self._scale = np.asarray(p.scale, float)

    # -- properties others read ------------------------------------------------------------------
    @property
    def features(self) -> list[str]:
        return list(self.model.features)

    @property
    def threshold(self) -> float:
        return self.model.threshold

    @property
    def dataset_hash(self) -> str | None:
        h = self.model.fitted_on.get("dataset_hash")
        return h if isinstance(h, str) else None

    # -- prediction (numpy only) -------------------------------------------------------------------
    def _standardize(self, x: np.ndarray) -> np.ndarray:
        x = np.where(np.isfinite(x), x, self._impute)
        return (x - self._center) / self._scale

    def _rating_raw(self, z: np.ndarray) -> np.ndarray:
        p = self.model.params
        return z @ np.asarray(p.rating_coef, float) + p.rating_intercept

    def predict_matrix(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(p_accept, rating_calibrated, accept 0/1) for a (n, n_features) array in `features` order."""
        z = self._standardize(np.asarray(x, float).reshape(-1, len(self.model.features)))
        p = self.model.params
        r = self._rating_raw(z)
        if p.prob_head == "logistic":
            prob = _sigmoid(z @ np.asarray(p.prob_coef, float) + float(p.prob_intercept or 0.0))
        elif p.prob_head == "platt_on_rating":
            a, b = p.platt or (0.0, 0.0)
            prob = _sigmoid(a * r + b)
        else:
            prob = np.interp(r, np.asarray(p.isotonic_x, float), np.asarray(p.isotonic_y, float))
        prob = np.clip(prob, P_CLIP, 1 - P_CLIP)
        lo, hi = p.rating_range
        return prob, np.clip(r, lo, hi), (prob >= self.model.threshold).astype(float)

    def _frame(self, reviews: pd.DataFrame | list[pd.DataFrame]) -> pd.DataFrame:
        frames = [reviews] if isinstance(reviews, pd.DataFrame) else list(reviews)
        if len(frames) != self.model.n_reviewers:
            raise CalibratorError(
                f"this calibrator was fitted on {self.model.n_reviewers} reviewer(s) per paper; got {len(frames)}")
        feats = panel_features(frames if len(frames) > 1 else frames[0])
        if self.model.text_model is not None:
            texts = paper_fields(frames)
            feats[TEXT_SCORE] = self.model.text_model.score([texts.get(pid, []) for pid in feats["paper_id"]])
        return feats

    def predict(self, reviews: pd.DataFrame | list[pd.DataFrame]) -> pd.DataFrame:
        """paper_id, p_accept, rating_calibrated, decision ("Accept"/"Reject") per reviewed paper."""
        feats = self._frame(reviews)
        x = feats.reindex(columns=self.model.features).to_numpy(dtype=float)
        prob, rating, acc = self.predict_matrix(x)
        return pd.DataFrame({"paper_id": feats["paper_id"].to_numpy(dtype=object), "p_accept": prob,
                             "rating_calibrated": rating,
                             "decision": np.where(acc > 0, "Accept", "Reject").astype(object)})

    def predict_one(self, review_fields: dict) -> dict:
        """p_accept, rating_calibrated, decision for one review (a form dict or a reviews-CSV row)."""
        if self.model.n_reviewers != 1:
            raise CalibratorError(f"a panel calibrator ({self.model.n_reviewers} reviewers) cannot score one review")
        f = row_features(review_fields)
        if self.model.text_model is not None:
            f[TEXT_SCORE] = float(self.model.text_model.score([text_fields(review_fields)])[0])
        prob, rating, acc = self.predict_matrix(np.array([[f.get(n, math.nan) for n in self.model.features]]))
        return {"p_accept": float(prob[0]), "rating_calibrated": float(rating[0]),
                "decision": "Accept" if acc[0] > 0 else "Reject", "threshold": self.model.threshold}

    # -- persistence -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return self.model.model_dump(mode="json")

    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n", encoding="utf-8")
        tmp.replace(path)  # atomic: a crash never leaves half a calibrator

    @classmethod
    def from_dict(cls, data: object, source: str = "calibrator") -> Calibrator:
        if not isinstance(data, dict):
            raise CalibratorError(f"{source}: not a JSON object")
        version = data.get("schema_version")
        if type(version) is not int or version not in READABLE_VERSIONS:
            raise CalibratorError(f"{source}: unsupported calibrator schema_version {version!r} (this build reads "
                                  f"{', '.join(map(str, READABLE_VERSIONS))}; refit with `aisci calibrate fit`)")
        try:
            return cls(CalibratorModel.model_validate(data))
        except ValueError as e:
            first = str(e).splitlines()
            raise CalibratorError(f"{source}: invalid calibrator ({' '.join(first[:3])})"[:400]) from None

    @classmethod
    def load(cls, path: str | Path) -> Calibrator:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise CalibratorError(f"{path}: cannot read ({e.strerror or e})") from None
        if len(raw) > MAX_FILE_BYTES:
            raise CalibratorError(f"{path}: {len(raw)} bytes is too large for a calibrator file")

        def _no_constants(name: str) -> None:
            raise ValueError(f"non-finite number {name}")

        try:
            data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
        except (UnicodeDecodeError, ValueError) as e:
            raise CalibratorError(f"{path}: not a JSON calibrator ({str(e)[:120]})") from None
        return cls.from_dict(data, source=str(path))

    # -- fitting -----------------------------------------------------------------------------------
    @classmethod
    def fit(cls, reviews: pd.DataFrame | list[pd.DataFrame], labels: pd.DataFrame, *,
            method: str = "logistic", threshold_rule: str = "balanced_accuracy",
            target_accept_rate: float | None = None, seed: int = 0, dataset_hash: str | None = None,
            reviews_hashes: list[str] | None = None, inner_folds: int = 5, text: bool = True,
            feature_set: str = "auto") -> Calibrator:
        """Fit on the papers present in both `reviews` and `labels` (paper_id, accepted, mean_rating).
        `text=False` leaves out the stacked text score (then the file has no text_model). `feature_set`:
        "auto" (default) lets the inner CV choose between the `base` features and the `extended` ones
        (plus text score and panel spreads); "base" / "extended" force one (tests and ablations)."""
        from ._calibrate_fit import fit_model

        frames = [reviews] if isinstance(reviews, pd.DataFrame) else list(reviews)
        if not frames:
            raise CalibratorError("no reviews to fit on")
        feats = panel_features(frames if len(frames) > 1 else frames[0])
        model = fit_model(feats, labels, n_reviewers=len(frames), method=method, threshold_rule=threshold_rule,
                          target_accept_rate=target_accept_rate, seed=seed, inner_folds=inner_folds,
                          texts=paper_fields(frames) if text else None, feature_set=feature_set)
        model.fitted_on.update(dataset_hash=dataset_hash, reviews_hashes=list(reviews_hashes or []))
        return cls(model)
