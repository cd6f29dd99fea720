"""Run a template's experiment in the sandbox, and let a model improve it by search/replace edits.

    run = run_experiment("grokking", Path("out/runs"), smoke=True, timeout_s=120, run_name="baseline")
    runs = await improve_experiment(model, run.dir, Path("out/runs/idea1"), "Try weight decay 0.3")

Every run keeps, in workdir/<run_name>/: the code it ran (experiment.py, plot.py, ...), stdout.log,
stderr.log, results/ (final_info.json, the experiment's own logs and plots) and run.json (this record).
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import time
from pathlib import Path

from pydantic import BaseModel

from reviewer.llm import GenerateConfig, LLMError, Message

from . import edits
from .sandbox import run_sandboxed
from .templates import list_templates, load_template, shared_data_dir

RESULTS = "results"
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", RESULTS, "stdout.log", "stderr.log", "run.json",
                                     "model_answer.md", "plot.log", ".tmp", "latex")


class ExperimentRun(BaseModel):
    run_name: str
    dir: Path
    code: Path  # the experiment.py that ran
    stdout_log: Path
    stderr_log: Path
    final_info: dict | None = None
    error: str | None = None  # None = success (exit 0 and a readable final_info.json)
    seconds: float = 0.0
    timed_out: bool = False
    killed_reason: str | None = None
    network_isolated: bool = False
    isolation: str = "none"
    plots: list[Path] = []
    model_answer: Path | None = None  # the model's edit answer that produced this code, when any

    @property
    def ok(self) -> bool:
        return self.error is None

    def save(self) -> None:
        (self.dir / "run.json").write_text(self.model_dump_json(indent=2))


def _template_dir(template: str | Path) -> Path:
    if isinstance(template, str) and "/" not in template and template in list_templates():
        return load_template(template).path  # a known name wins over a same-named local directory
    path = Path(template)
    if path.is_dir() and (path / "experiment.py").is_file():
        return path  # a template, or a previous run's directory (its edited code)
    return load_template(str(template)).path


def _data_args(src: Path) -> list[str]:
    """Arguments naming shared data files the template asks for (prompt.json "data_args") that exist."""
    prompt_file = src / "prompt.json"
    prompt = json.loads(prompt_file.read_text()) if prompt_file.is_file() else {}
    files = {flag: shared_data_dir() / rel for flag, rel in prompt.get("data_args", {}).items()}
    return [x for flag, file in files.items() if file.is_file() for x in (flag, str(file))]


def _tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def read_final_info(path: Path) -> tuple[dict | None, str | None]:
    if not path.is_file():
        return None, f"the run finished but wrote no {RESULTS}/final_info.json"
    try:
        info = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return None, f"{RESULTS}/final_info.json is not valid JSON: {exc}"
    if not isinstance(info, dict) or not info:
        return None, f"{RESULTS}/final_info.json must be a non-empty JSON object (metric -> values)"
    return info, None


def execute(run_dir: Path, run_name: str, *, smoke: bool, timeout_s: float, extra_args: list[str] | None = None,
            mem_mb: int = 4096, plot: bool = True, model_answer: Path | None = None) -> ExperimentRun:
    """Run experiment.py (then plot.py) already present in `run_dir`, in the sandbox."""
    results = run_dir / RESULTS
    cmd = ["python", "experiment.py", "--out_dir", RESULTS, *(extra_args or []), *(["--smoke"] if smoke else [])]
    res = run_sandboxed(cmd, run_dir, timeout_s, mem_mb=mem_mb, cpu_s=int(2 * timeout_s) + 5)
    run = ExperimentRun(
        run_name=run_name, dir=run_dir, code=run_dir / "experiment.py", stdout_log=run_dir / "stdout.log",
        stderr_log=run_dir / "stderr.log", seconds=res.seconds, timed_out=res.timed_out,
        killed_reason=res.killed_reason, network_isolated=res.network_isolated, isolation=res.isolation,
        model_answer=model_answer,
    )
    run.stdout_log.write_text(res.stdout)
    run.stderr_log.write_text(res.stderr)
    if res.timed_out:
        run.error = f"timed out after {timeout_s:.0f} s (killed by the sandbox); make the run shorter"
    elif res.returncode != 0:
        why = f" ({res.killed_reason})" if res.killed_reason else ""
        run.error = f"experiment.py exited with code {res.returncode}{why}; last stderr lines:\n{_tail(res.stderr)}"
    else:
        run.final_info, run.error = read_final_info(results / "final_info.json")
    if run.ok and plot and (run_dir / "plot.py").is_file():
        plotted = run_sandboxed(["python", "plot.py", "--out_dir", RESULTS], run_dir, 120, mem_mb=mem_mb)
        (run_dir / "plot.log").write_text(plotted.stdout + plotted.stderr)
        run.plots = sorted(results.glob("*.png"))
    run.save()
    return run


def run_experiment(template: str | Path, workdir: Path, *, smoke: bool, timeout_s: float, run_name: str,
                   mem_mb: int = 4096, plot: bool = True) -> ExperimentRun:
    """Copy the template's code (or a previous run's) into workdir/run_name and run it in the sandbox."""
    src = _template_dir(template)
    run_dir = Path(workdir) / run_name
    if run_dir.exists():
        raise FileExistsError(f"{run_dir}: run directory exists already (runs are never overwritten)")
    shutil.copytree(src, run_dir, ignore=COPY_IGNORE)
    return execute(run_dir, run_name, smoke=smoke, timeout_s=timeout_s, extra_args=_data_args(src),
                   mem_mb=mem_mb, plot=plot)


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, int | float) and math.isfinite(v) else "null"


def metrics_summary(info: dict | None) -> str:
    """final_info.json as short `metric: mean ± std` lines, for prompts and logs."""
    if not info:
        return "(no results)"
    lines = []
    for name, value in info.items():
        if isinstance(value, dict) and "means" in value:
            mean, std = value.get("means"), value.get("stds")
            lines.append(f"{name}: {_fmt(mean)} ± {_fmt(std)} (seeds {value.get('seeds')})")
        else:
            lines.append(f"{name}: {value}")
    return "\n".join(lines)


SYSTEM = (
    "You edit one Python experiment script so that it tests a research idea. Answer with one or more "
    "search/replace blocks and nothing the script does not need. Block format:\n\n"
    "experiment.py\n<<<<<<< SEARCH\n<exact lines copied from the current file>\n=======\n<new lines>\n"
    ">>>>>>> REPLACE\n\n"
    "Rules: SEARCH must match the current file exactly and only once (include enough lines); only "
    "experiment.py may be edited; keep its command line (--out_dir, --smoke, --seeds) and keep writing "
    "<out_dir>/final_info.json as {metric: {\"means\", \"stds\", \"seeds\", ...}}. The run is CPU-only, "
    "has no network and no API keys, and is killed at its time limit."
)


def edit_prompt(instruction: str, code: str, *, timeout_s: float, smoke: bool, context: str = "") -> str:
    size = "a smoke-size run (--smoke)" if smoke else "a full run"
    return (f"{context.strip()}\n\n" if context.strip() else "") + (
        f"Instruction:\n{instruction.strip()}\n\nThe script will be run as {size} with a limit of "
        f"{timeout_s:.0f} seconds.\n\nCurrent experiment.py:\n```python\n{code}```\n"
    )


async def improve_experiment(model, template_dir: str | Path, workdir: Path, instruction: str, max_attempts: int = 3,
                             smoke: bool = False, timeout_s: float = 600.0, *, context: str = "",
                             run_prefix: str = "attempt", mem_mb: int = 4096,
                             max_tokens: int = 4000) -> list[ExperimentRun]:
    """Ask `model` for edits implementing `instruction`, apply, run; feed failures back, up to K attempts.

    Each attempt is kept in workdir/<run_prefix>_<k>/ with the code it ran and the model's answer.
    Later attempts start from the previous attempt's (edited) code. Returns every attempt; the last is
    the successful one when any succeeded. CostCapReached propagates (finished attempts are on disk).
    `context` (idea, earlier results ...) goes before the instruction; default: the description.md."""
    from reviewer.llm.errors import CostCapReached

    src = _template_dir(template_dir)
    extra_args = _data_args(src)
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    code = (src / "experiment.py").read_text(encoding="utf-8")
    if not context and (src / "description.md").is_file():
        context = "About the experiment:\n" + (src / "description.md").read_text(encoding="utf-8")
    messages = [Message(role="system", content=SYSTEM),
                Message(role="user", content=edit_prompt(instruction, code, timeout_s=timeout_s, smoke=smoke,
                                                         context=context))]
    runs: list[ExperimentRun] = []
    previous = src
    for k in range(1, max_attempts + 1):
        run_dir = workdir / f"{run_prefix}_{k}"
        if run_dir.exists():
            raise FileExistsError(f"{run_dir}: run directory exists already (runs are never overwritten)")
        shutil.copytree(previous, run_dir, ignore=COPY_IGNORE)
        start = time.monotonic()
        try:
            out = await model.generate(messages, GenerateConfig(temperature=0.2, max_tokens=max_tokens, task="code_edit"))
        except CostCapReached:
            raise
        except LLMError as exc:
            runs.append(_failed(run_dir, f"{run_prefix}_{k}", f"model call failed: {exc}", start))
            break
        answer = run_dir / "model_answer.md"
        answer.write_text(out.text)
        messages.append(Message(role="assistant", content=out.text))
        report = edits.apply_edits(out.text, run_dir)
        if not report.ok:
            feedback = report.feedback()
            runs.append(_failed(run_dir, f"{run_prefix}_{k}", f"edits rejected:\n{feedback}", start, answer))
            messages.append(Message(role="user", content=(
                f"Your edits were NOT applied (nothing was changed):\n{feedback}\n\nThe file is unchanged:\n"
                f"```python\n{(run_dir / 'experiment.py').read_text()}```\nSend corrected blocks.")))
            continue  # retry from the same code
        run = await asyncio.to_thread(  # a blocking wait of up to timeout_s: keep the event loop free
            execute, run_dir, f"{run_prefix}_{k}", smoke=smoke, timeout_s=timeout_s, extra_args=extra_args,
            mem_mb=mem_mb, model_answer=answer)
        runs.append(run)
        if run.ok:
            break
        previous = run_dir  # keep the edited code; ask for a fix of this version
        messages.append(Message(role="user", content=(
            f"The edits were applied, but the run failed:\n{run.error}\n\nCurrent experiment.py:\n"
            f"```python\n{run.code.read_text()}```\nFix it with search/replace blocks.")))
    return runs


def _failed(run_dir: Path, name: str, error: str, start: float, answer: Path | None = None) -> ExperimentRun:
    run = ExperimentRun(run_name=name, dir=run_dir, code=run_dir / "experiment.py", stdout_log=run_dir / "stdout.log",
                        stderr_log=run_dir / "stderr.log", error=error, seconds=round(time.monotonic() - start, 3),
                        model_answer=answer)
    run.stdout_log.write_text("")
    run.stderr_log.write_text("")
    run.save()
    return run
