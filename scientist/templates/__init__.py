"""Experiment templates: a directory each, with experiment.py, plot.py, latex/, description.md,
seed_ideas.json and an optional prompt.json (see docs/scientist_sandbox.md for the contract).

    from scientist.templates import list_templates, load_template
    t = load_template("grokking")
    t.command(out_dir="run_0", smoke=True)   # ['/path/python', 'experiment.py', '--out_dir', 'run_0', '--smoke']
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

TEMPLATES_DIR = Path(__file__).resolve().parent
REQUIRED_FILES = ("experiment.py", "plot.py", "description.md", "seed_ideas.json", "latex/template.tex")


def shared_data_dir() -> Path:
    """../shared/data next to the repo, or $AISCI_SHARED_DATA (read at run time, never copied)."""
    return Path(os.environ.get("AISCI_SHARED_DATA", TEMPLATES_DIR.parents[1].parent / "shared" / "data"))


class Template(BaseModel):
    name: str
    path: Path
    description: str  # description.md: what the experiment does, its metrics and files
    seed_ideas: list[dict[str, Any]]  # keys: name, title, hypothesis, experiment_plan, interestingness, ...
    prompt: dict[str, Any] = Field(default_factory=dict)  # prompt.json: system, task_description, data_args
    editable_files: list[str] = Field(default_factory=lambda: ["experiment.py"])

    @property
    def experiment_py(self) -> Path:
        return self.path / "experiment.py"

    @property
    def latex_template(self) -> Path:
        return self.path / "latex" / "template.tex"

    @property
    def references_bib(self) -> Path:
        return self.path / "latex" / "references.bib"

    def data_args(self) -> list[str]:
        """Extra arguments naming shared data files that exist here (e.g. --data DatasaurusDozen.tsv)."""
        args: list[str] = []
        for flag, rel in self.prompt.get("data_args", {}).items():
            file = shared_data_dir() / rel
            if file.is_file():
                args += [flag, str(file)]
        return args

    def command(self, out_dir: str = "run_0", smoke: bool = False, python: str | None = None) -> list[str]:
        """The baseline command, to run with the template copy as working directory."""
        cmd = [python or sys.executable, "experiment.py", "--out_dir", out_dir, *self.data_args()]
        return cmd + (["--smoke"] if smoke else [])

    def plot_command(self, out_dir: str = "run_0", python: str | None = None) -> list[str]:
        return [python or sys.executable, "plot.py", "--out_dir", out_dir]


def list_templates(root: Path = TEMPLATES_DIR) -> list[str]:
    """Names of the template directories under `root` that have every required file."""
    return sorted(p.name for p in root.iterdir() if p.is_dir() and all((p / f).is_file() for f in REQUIRED_FILES))


def load_template(name_or_path: str | Path) -> Template:
    """A template by name (under scientist/templates/) or by directory path."""
    path = Path(name_or_path)
    if not path.is_dir():
        path = TEMPLATES_DIR / str(name_or_path)
    if not path.is_dir():
        raise FileNotFoundError(f"template {name_or_path!r} not found (known: {', '.join(list_templates())})")
    missing = [f for f in REQUIRED_FILES if not (path / f).is_file()]
    if missing:
        raise FileNotFoundError(f"template {path}: missing {', '.join(missing)}")
    try:
        ideas = json.loads((path / "seed_ideas.json").read_text())
        prompt = json.loads((path / "prompt.json").read_text()) if (path / "prompt.json").is_file() else {}
    except json.JSONDecodeError as exc:
        raise ValueError(f"template {path}: invalid JSON: {exc}") from exc
    return Template(
        name=path.name,
        path=path.resolve(),
        description=(path / "description.md").read_text(encoding="utf-8"),
        seed_ideas=ideas,
        prompt=prompt,
    )


__all__ = ["TEMPLATES_DIR", "Template", "list_templates", "load_template", "shared_data_dir"]
