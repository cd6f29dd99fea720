"""Resuming a scientist run from its output directory (`--resume`).

Finished idea-rounds (rows of fitness.csv whose status is final) are restored from their files and not
redone; the ideas and their novelty verdicts come from ideas.json and the baseline from runs/baseline.
Leftovers of an idea-round that did not finish are moved aside (never deleted) so it can run again.
Model answers already paid for come from the response cache.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from .experiments import ExperimentRun
from .ideas import Idea
from .loop_report import RoundRecord
from .novelty import NoveltyResult
from .writeup import PaperResult

FINAL = {"evaluated", "experiment_failed", "not_novel"}


def load_ideas(out: Path) -> tuple[list[Idea], dict[str, NoveltyResult], set[str]]:
    """Ideas, their novelty verdicts, and the names of those taken from the template's seeds."""
    data = json.loads((out / "ideas.json").read_text())
    ideas = [Idea.model_validate({k: d[k] for k in Idea.model_fields}) for d in data]
    novelty = {d["name"]: NoveltyResult.model_validate(d["novelty_check"]) for d in data if d.get("novelty_check")}
    return ideas, novelty, {d["name"] for d in data if d.get("origin") == "seed"}


def load_records(out: Path) -> list[RoundRecord]:
    path = out / "fitness.csv"
    if not path.exists():
        return []
    with path.open() as f:
        rows = [{k: (None if v == "" else v) for k, v in row.items()} for row in csv.DictReader(f)]
    return [RoundRecord.model_validate(r) for r in rows if r["status"] in FINAL]


def load_baseline(out: Path) -> ExperimentRun | None:
    """The finished baseline run; a partial one is moved aside (it will run again)."""
    path = out / "runs" / "baseline" / "run.json"
    if path.exists():
        return ExperimentRun.model_validate_json(path.read_text())
    if path.parent.exists():
        path.parent.rename(out / "runs" / f".incomplete-{time.strftime('%Y%m%d-%H%M%S')}-baseline")
    return None


def restore_state(out: Path, rec: RoundRecord) -> tuple[ExperimentRun, PaperResult, object]:
    """The experiment, paper and optimised review behind an evaluated row."""
    from reviewer.result import ReviewResult

    run = ExperimentRun.model_validate_json((out / rec.experiment / "run.json").read_text())
    paper = PaperResult.model_validate_json((out / "papers" / rec.idea / f"round_{rec.round}" / "writeup.json").read_text())
    review = ReviewResult.model_validate_json((out / "reviews" / f"{rec.idea}_round{rec.round}.json").read_text())
    return run, paper, review


def move_aside(out: Path, idea: str, k: int) -> list[str]:
    """Move the partial files of an unfinished idea-round to <dir>/.incomplete-<time>/."""
    moved = []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in [*(out / "runs" / idea).glob(f"round{k}_*"), out / "papers" / idea / f"round_{k}"]:
        if path.exists():
            target = path.parent / f".incomplete-{stamp}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            path.rename(target)
            moved.append(str(target.relative_to(out)))
    return moved
