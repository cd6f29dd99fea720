"""The review-driven scientist loop.

ideas -> novelty check -> experiment (model edits, sandboxed runs) -> write-up -> review. Fitness is
the optimised reviewer's calibrated P(accept) (without a calibrator: a documented uncalibrated
pseudo-probability). Each later round keeps the best `keep` papers, turns their reviews' weaknesses
into a revision plan (new experiments allowed), rewrites and re-reviews them. A held-out reviewer (a
different stance and/or model, never used for selection) scores every paper too, so a gain that only
fools the optimised reviewer shows up as a gap between the two curves.

A shared UsageTracker enforces --max-cost: CostCapReached ends the loop, keeping everything done.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from reviewer.llm import Model, UsageTracker, get_model
from reviewer.llm.errors import CostCapReached

from . import (
    loop_resume,
    mock_answers,  # noqa: F401  (registers mock/default answers for these tasks)
)
from .experiments import ExperimentRun, improve_experiment, metrics_summary, run_experiment
from .ideas import Idea, generate_ideas
from .litsearch import SearchError, make_searcher
from .loop_report import CALIBRATED, UNCALIBRATED, RoundRecord, write_all
from .novelty import NoveltyResult, check_novelty
from .paper_tex import TexStatus, preflight
from .revise import plan_revision
from .templates import Template, load_template
from .writeup import PaperResult, write_paper


class LoopConfig(BaseModel):
    template: str
    model: str
    out: Path
    reviewer_model: str | None = None  # the held-out reviewer's model (default: --model)
    calibrator: str | None = None
    ideas: int = 2
    rounds: int = 1  # improvement rounds after round 0 (the first papers)
    keep: int | None = None  # papers revised per round (default: half the population, at least 1)
    max_cost: float | None = None
    smoke: bool = False
    timeout_s: float | None = None  # per experiment run (default 120 s smoke, 600 s full)
    attempts: int = 2  # edit+run attempts per experiment
    idea_reflections: int = 1
    literature: str = "auto"  # auto | local | semantic_scholar | openalex
    papers_dir: str | None = None  # for the local index
    held_out_stance: Literal["neutral", "critical", "lenient"] = "critical"
    review_ensemble: int = 1
    base_url: str | None = None
    resume: bool = False  # continue a run in `out` (finished idea-rounds are kept, not redone)


def fitness_of(result) -> tuple[float | None, str | None]:
    """Calibrated P(accept) when there is one; else (Overall - 1) / 9, labelled uncalibrated."""
    if result is None or result.review is None:
        return None, None
    if result.p_accept is not None:
        return float(result.p_accept), CALIBRATED
    return (result.review.Overall - 1) / 9, UNCALIBRATED


class Scientist:
    def __init__(self, config: LoopConfig, model: Model | None = None, held_out_model: Model | None = None):
        self.cfg = config
        self.out = Path(config.out)
        self.tracker = model.tracker if model is not None else UsageTracker(max_cost_usd=config.max_cost)
        self.model = model or get_model(config.model, base_url=config.base_url, tracker=self.tracker)
        held_name = config.reviewer_model or config.model
        if held_out_model is not None:
            self.held_model = held_out_model
        elif held_name == self.model.name or held_name == config.model:
            self.held_model = self.model
        else:
            self.held_model = get_model(held_name, tracker=self.tracker)
        self.template: Template = load_template(config.template)
        self.timeout_s = config.timeout_s or (120.0 if config.smoke else 600.0)
        self.records: list[RoundRecord] = []
        self.notes: list[str] = []
        self.status, self.stop_reason = "running", None
        self.tex: TexStatus | None = None
        self.start = time.monotonic()
        # per idea: latest state
        self.ideas: list[Idea] = []
        self.novelty: dict[str, NoveltyResult] = {}
        self.best_run: dict[str, ExperimentRun] = {}
        self.papers: dict[str, PaperResult] = {}
        self.reviews: dict[str, object] = {}
        self.done: set[tuple[int, str]] = set()  # (round, idea) restored by --resume
        self.seeded: set[str] = set()  # ideas taken from the template's seeds (the model gave too few)
        self.current_fitness: dict[str, float | None] = {}  # fitness of each idea's adopted version
        self.baseline: dict | None = None  # final_info of the unmodified template
        self.baseline_task: asyncio.Task | None = None

    # ----- outputs -----
    def meta(self) -> dict:
        from reviewer.pipeline import ReviewerConfig

        kinds = {r.fitness_kind for r in self.records if r.fitness_kind}
        return {
            "config": json.loads(self.cfg.model_dump_json()),
            "status": self.status, "stop_reason": self.stop_reason,
            "fitness_kind": " / ".join(sorted(kinds)) or (CALIBRATED if self.cfg.calibrator else UNCALIBRATED),
            "reviewers": {
                "optimised": f"{self.model.name}, stance neutral, ensemble {self.cfg.review_ensemble}"
                             + (f", calibrator {self.cfg.calibrator}" if self.cfg.calibrator else ", no calibrator"),
                "held_out": f"{self.held_model.name}, stance {self.cfg.held_out_stance}"
                            + (" (same calibrator)" if self.cfg.calibrator else "") + " - never used for selection",
            },
            "reviewer_defaults": ReviewerConfig().model_dump(include={"temperature", "fewshot", "reflections"}),
            "tex": (self.tex or TexStatus(available=False, reason="not checked")).model_dump(),
            "paper_format": "pdf" if self.tex and self.tex.available else "md",
            "usage": self.tracker.summary() | {"cost_complete": self.tracker.unknown_cost_calls == 0},
            "seconds": round(time.monotonic() - self.start, 1),
            "ideas": [i.name for i in self.ideas],
            "notes": self.notes,
        }

    def flush(self, plot: bool = True) -> dict:
        """Rewrite every report file (the PNG only when asked: ~1 s of matplotlib)."""
        return write_all(self.out, self.records, self.meta(), plot=plot)

    def save_ideas(self) -> None:
        data = [{**i.model_dump(), "origin": "seed" if i.name in self.seeded else "model", "novelty_check": self.novelty[i.name].model_dump() if i.name in self.novelty else None}
                for i in self.ideas]
        (self.out / "ideas.json").write_text(json.dumps(data, indent=1))

    # ----- steps -----
    async def run(self) -> dict:
        if self.out.exists() and any(self.out.iterdir()) and not self.cfg.resume:
            raise FileExistsError(f"{self.out}: output directory is not empty (use --resume to continue it, "
                                  "or another --out)")
        if self.cfg.calibrator:  # a calibrator that does not load must fail before anything is spent
            from reviewer.pipeline import load_calibrator

            load_calibrator(self.cfg.calibrator)
        self.out.mkdir(parents=True, exist_ok=True)
        for d in ("runs", "papers", "reviews"):
            (self.out / d).mkdir(exist_ok=True)
        resumed = self.cfg.resume and (self.out / "ideas.json").exists()
        if resumed:
            self.resume()  # before the first flush rewrites fitness.csv
        # Before any paid call: can we build PDFs? (else Markdown papers; decided once, cheaply)
        self.tex = preflight(self.template.latex_template)
        self.notes.append(f"TeX pre-flight: {self.tex.reason} ({self.tex.seconds:.1f} s)")
        self.flush(plot=False)
        try:
            baseline = loop_resume.load_baseline(self.out) if self.cfg.resume else None
            if baseline is None:
                # The baseline runs while ideas are generated and the first idea's experiment runs (torch
                # runs are single-threaded in the sandbox, so two share the 2 cores); the first write-up waits.
                self.baseline_task = asyncio.create_task(asyncio.to_thread(
                    run_experiment, self.template.path, self.out / "runs", smoke=self.cfg.smoke,
                    timeout_s=self.timeout_s, run_name="baseline"))
            else:
                self.baseline_task = asyncio.create_task(asyncio.sleep(0, baseline))
            if not resumed:
                await self.make_ideas()
            await self.check_all_novelty()
            await self.round_zero()
            self.flush()
            for k in range(1, self.cfg.rounds + 1):
                await self.improve_round(k)
                self.flush()
            await self.get_baseline()  # the baseline run ends before the loop does (its thread is not cancellable)
            self.status = "finished"
        except CostCapReached as e:
            self.status, self.stop_reason = "stopped", str(e)
        except (asyncio.CancelledError, KeyboardInterrupt):  # Ctrl-C / SIGTERM: write what is done, then stop
            self.status, self.stop_reason = "interrupted", "interrupted; continue with --resume"
            raise
        finally:  # no await in here: an interrupt must not skip the final report
            if self.status == "running":
                self.status = "crashed"
            self.save_ideas()
            result = self.flush()
        return result

    async def get_baseline(self) -> dict | None:
        if self.baseline is None and self.baseline_task is not None:
            run = await self.baseline_task
            self.baseline = run.final_info or {}
            if not run.ok:
                self.notes.append(f"baseline run failed: {run.error[:300]}")
        return self.baseline

    def resume(self) -> None:
        self.ideas, self.novelty, self.seeded = loop_resume.load_ideas(self.out)
        for rec in sorted(loop_resume.load_records(self.out), key=lambda r: r.round):
            if rec.status == "evaluated" and rec.adopted:
                self.best_run[rec.idea], self.papers[rec.idea], self.reviews[rec.idea] = loop_resume.restore_state(self.out, rec)
                self.current_fitness[rec.idea] = rec.fitness
            self.records.append(rec)
            self.done.add((rec.round, rec.idea))
        self.notes.append(f"resumed: {len(self.ideas)} ideas and {len(self.done)} finished idea-rounds from {self.out}")

    def begin(self, k: int, idea: str) -> bool:
        """False when this idea-round is already finished (resume); else clear any partial leftovers."""
        if (k, idea) in self.done:
            return False
        if self.cfg.resume:
            moved = loop_resume.move_aside(self.out, idea, k)
            if moved:
                self.notes.append(f"moved unfinished files aside: {', '.join(moved)}")
        return True

    async def make_ideas(self) -> None:
        ideas, notes = await generate_ideas(self.model, self.template.description, self.template.seed_ideas,
                                            self.cfg.ideas, reflections=self.cfg.idea_reflections)
        self.notes += notes
        if len(ideas) < self.cfg.ideas:  # a weak model must not leave the loop without ideas: use seeds (recorded)
            taken = {i.name for i in ideas}
            seeds = [s for s in (Idea.from_any(d) for d in self.template.seed_ideas) if s.name not in taken]
            extra = seeds[: self.cfg.ideas - len(ideas)]
            self.seeded = {i.name for i in extra}
            if extra:
                self.notes.append(f"the model gave {len(ideas)} valid new idea(s) of {self.cfg.ideas}; "
                                  f"added seed idea(s): {', '.join(sorted(self.seeded))}")
            ideas += extra
        self.ideas = ideas
        self.save_ideas()

    async def check_all_novelty(self) -> None:
        todo = [i for i in self.ideas if i.name not in self.novelty]
        if not todo:
            return
        try:
            searcher = make_searcher(self.cfg.literature, self.cfg.papers_dir)
        except SearchError as e:  # no literature to search: ideas go on, unchecked (recorded)
            self.notes.append(f"novelty check skipped: {e}")
            for idea in todo:
                self.novelty[idea.name] = NoveltyResult(decision="unknown", error=str(e))
            self.save_ideas()
            return
        for idea in todo:
            self.novelty[idea.name] = await check_novelty(self.model, idea, searcher)
            self.save_ideas()
        self.notes += getattr(searcher, "notes", [])
        self.notes.append(f"literature search: {searcher.name}")

    def spent(self) -> float:
        return self.tracker.cost_usd

    async def guarded(self, k: int, idea: Idea, step) -> None:
        """Run one idea-round step; one bad idea never ends the run, and its record is always written."""
        t0, c0 = time.monotonic(), self.spent()
        rec = RoundRecord(round=k, idea=idea.name, status="error")
        try:
            await step(idea, rec)
        except CostCapReached:
            rec.status = "cost_cap"
            raise
        except Exception as e:  # the reason is recorded
            rec.error = f"{type(e).__name__}: {e}"[:500]
        finally:
            self.finish(rec, t0, c0)

    async def round_zero(self) -> None:
        for idea in self.ideas:
            if self.begin(0, idea.name):
                await self.guarded(0, idea, self.first_paper)

    async def first_paper(self, idea: Idea, rec: RoundRecord) -> None:
        if not self.novelty[idea.name].novel:
            rec.status, rec.error = "not_novel", self.novelty[idea.name].reasoning[:300]
            return
        instruction = (f"Implement this research idea in experiment.py.\nTitle: {idea.title}\n"
                       f"Hypothesis: {idea.hypothesis}\nPlan: {idea.experiment_plan}")
        runs = await improve_experiment(self.model, self.template.path, self.out / "runs" / idea.name,
                                        instruction, max_attempts=self.cfg.attempts, smoke=self.cfg.smoke,
                                        timeout_s=self.timeout_s, run_prefix="round0",
                                        context=f"Baseline results:\n{metrics_summary(self.baseline)}"
                                        if self.baseline else "")
        rec.experiment_attempts = len(runs)
        ok = [r for r in runs if r.ok]
        if not ok:
            rec.status = "experiment_failed"
            rec.error = (runs[-1].error if runs else "no attempt was made")[:500]
            return
        self.best_run[idea.name] = ok[-1]
        await self.paper_and_review(idea, 0, rec)

    async def improve_round(self, k: int) -> None:
        latest = {r.idea: r for r in sorted(self.records, key=lambda r: r.round)
                  if r.status == "evaluated" and r.adopted and r.round < k}
        ranked = sorted(latest.values(), key=lambda r: (-(r.fitness or 0.0), r.idea))
        keep = self.cfg.keep or max(1, math.ceil(len(self.ideas) / 2))
        chosen = {r.idea for r in ranked[:keep]}
        for idea in self.ideas:
            if idea.name not in chosen:
                self.records.append(RoundRecord(round=k, idea=idea.name, status="not_selected"))
                continue
            if self.begin(k, idea.name):
                await self.guarded(k, idea, lambda i, rec, k=k: self.revise(i, k, rec))

    async def revise(self, idea: Idea, k: int, rec: RoundRecord) -> None:
        """Revise the idea's current paper; the new version is adopted only when its fitness is not lower
        (elitism: a revision that the reviewer likes less is recorded, and the next round starts again from
        the better version)."""
        name = idea.name
        before = (self.best_run[name], self.papers[name], self.reviews[name], self.current_fitness.get(name))
        await self.revise_paper(idea, k, rec)
        if rec.status != "evaluated" or (before[3] is not None and (rec.fitness or 0.0) < before[3]):
            self.best_run[name], self.papers[name], self.reviews[name], self.current_fitness[name] = before
            rec.adopted = False

    async def revise_paper(self, idea: Idea, k: int, rec: RoundRecord) -> None:
        review = self.reviews[idea.name].review
        weaknesses = "\n".join(f"- {w}" for w in (review.Weaknesses or [])) or "- (none listed)"
        questions = "\n".join(f"- {q}" for q in (getattr(review, "Questions", None) or []))
        plan = await plan_revision(self.model, idea, weaknesses, questions, metrics_summary(self.best_run[idea.name].final_info))
        (self.out / "papers" / idea.name / f"round_{k}").mkdir(parents=True, exist_ok=True)
        (self.out / "papers" / idea.name / f"round_{k}" / "revision_plan.json").write_text(json.dumps(plan, indent=1))
        notes = ""
        if plan["experiment_change"].strip():
            runs = await improve_experiment(self.model, self.best_run[idea.name].dir, self.out / "runs" / idea.name,
                                            plan["experiment_change"], max_attempts=self.cfg.attempts,
                                            smoke=self.cfg.smoke, timeout_s=self.timeout_s, run_prefix=f"round{k}",
                                            context=f"Current results:\n{metrics_summary(self.best_run[idea.name].final_info)}")
            rec.experiment_attempts = len(runs)
            ok = [r for r in runs if r.ok]
            if ok:
                self.best_run[idea.name] = ok[-1]
                notes = f"Round {k} ran a new experiment: {plan['experiment_change'][:500]}"
            else:
                notes = "A requested additional experiment failed; the results are those of the previous round."
                self.notes.append(f"{idea.name} round {k}: new experiment failed ({(runs[-1].error if runs else '')[:200]})")
        revision = (f"Reviewer weaknesses:\n{weaknesses}\n\nWriting changes:\n"
                    + "\n".join(f"- {c}" for c in plan["writing_changes"]) + (f"\n\n{notes}" if notes else ""))
        await self.paper_and_review(idea, k, rec, revision=revision, notes=notes)

    async def paper_and_review(self, idea: Idea, k: int, rec: RoundRecord, revision: str | None = None,
                               notes: str = "") -> None:
        from reviewer.pipeline import ReviewerConfig, review

        await self.get_baseline()
        run = self.best_run[idea.name]
        rec.experiment = str(run.dir.relative_to(self.out))
        nov = self.novelty.get(idea.name)
        previous = self.papers.get(idea.name)
        paper = await write_paper(
            self.model, idea=idea, description=self.template.description, skeleton=self.template.latex_template,
            references=self.template.references_bib, results=run.final_info, baseline=self.baseline,
            figures=list(run.plots), hits=(nov.hits if nov else [])[:10], out_dir=self.out / "papers" / idea.name / f"round_{k}",
            tex=self.tex, notes=notes, revision=revision, previous=previous.sections if previous else None)
        self.papers[idea.name] = paper
        rec.paper, rec.paper_format = str(paper.path.relative_to(self.out)), paper.format
        rec.writeup_fixes = len(paper.fixes)
        if paper.compile_error:
            self.notes.append(f"{idea.name} round {k}: {paper.compile_error[:200]}")
        common = dict(ensemble=self.cfg.review_ensemble, calibrator=self.cfg.calibrator)
        opt_cfg = ReviewerConfig(model=self.model.name, stance="neutral", **common)
        held_cfg = ReviewerConfig(model=self.held_model.name, stance=self.cfg.held_out_stance, **common)
        opt, held = await asyncio.gather(review(paper.path, opt_cfg, model=self.model),
                                         review(paper.path, held_cfg, model=self.held_model))
        stem = f"{idea.name}_round{k}"
        (self.out / "reviews" / f"{stem}.json").write_text(opt.model_dump_json(indent=1))
        (self.out / "reviews" / f"{stem}_held_out.json").write_text(held.model_dump_json(indent=1))
        rec.fitness, rec.fitness_kind = fitness_of(opt)
        self.current_fitness[idea.name] = rec.fitness
        rec.held_out_p_accept, rec.held_out_kind = fitness_of(held)
        if opt.review is not None:
            rec.overall, rec.decision = opt.review.Overall, opt.review.Decision
            self.reviews[idea.name] = opt
        if held.review is not None:
            rec.held_out_overall, rec.held_out_decision = held.review.Overall, held.review.Decision
        if opt.review is None:
            rec.status, rec.error = "error", f"optimised reviewer: {opt.error}"[:500]
        else:
            rec.status = "evaluated"
            if held.review is None:
                rec.error = f"held-out reviewer: {held.error}"[:500]

    def finish(self, rec: RoundRecord, t0: float, c0: float) -> None:
        rec.seconds = round(time.monotonic() - t0, 2)
        rec.cost_usd = round(self.spent() - c0, 6)
        rec.cost_complete = self.tracker.unknown_cost_calls == 0
        self.records.append(rec)
        self.flush(plot=False)


async def run_loop(config: LoopConfig, model: Model | None = None, held_out_model: Model | None = None) -> dict:
    sci = Scientist(config, model, held_out_model)
    try:
        return await sci.run()
    finally:  # close the HTTP clients we opened (models passed in belong to the caller)
        owned = [sci.model] if model is None else []
        if held_out_model is None and sci.held_model is not sci.model:
            owned.append(sci.held_model)
        for m in owned:
            await m.aclose()
