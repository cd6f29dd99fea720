"""Write the paper: the template's LaTeX skeleton filled section by section by the model, with the
real results table, the run's figures and the novelty search's papers as citations.

Call `paper_tex.preflight()` first (the loop does, before any paid call): when TeX is missing or
cannot compile the template's preamble, the paper is Markdown only (`paper.md`), which the reviewer
reads just as well. `paper.md` is written in every case; `paper.pdf` when the compile succeeds.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

from pydantic import BaseModel, Field

from reviewer.llm import GenerateConfig, Message, Model

from . import mock_answers  # noqa: F401  (registers mock/default answers for these tasks)
from .ideas import Idea
from .litsearch import Hit
from .paper_tex import (
    MARKER,
    TexStatus,
    bib_entries,
    bib_keys,
    check_document,
    compile_pdf,
    escape,
    prose_to_tex,
)

SECTIONS = ["Abstract", "Introduction", "Related Work", "Method", "Experimental Setup", "Results", "Conclusion"]
WORDS = {"Abstract": 150, "Introduction": 350, "Related Work": 250, "Method": 350, "Experimental Setup": 250,
         "Results": 350, "Conclusion": 150}
SECTION_SCHEMA = {"type": "object", "properties": {"content": {"type": "string", "maxLength": 5000}}, "required": ["content"]}
SYSTEM = (
    "You write one section of a short machine-learning research paper at a time, in plain prose (no LaTeX "
    "commands). Cite only with the given markers like [@key]; refer to figures/tables only with the given "
    "markers like [fig:name] or [tab:results]; inline math as $...$. Report only the numbers you are given; "
    "never invent results."
)


class PaperResult(BaseModel):
    format: str  # "pdf" | "md"
    path: Path  # the paper to review: paper.pdf, else paper.md
    markdown_path: Path
    tex_path: Path | None = None
    sections: dict[str, str] = Field(default_factory=dict)  # raw model text (markers kept) for revision
    fixes: list[str] = Field(default_factory=list)  # dropped/fixed references, escaped math
    compile_error: str | None = None
    seconds: float = 0.0


def skeleton_sections(tex: str) -> dict[str, str]:
    """Whatever the template's skeleton already says in each section (used as guidance)."""
    found = {}
    if m := re.search(r"\\begin\{abstract\}(.*?)\\end\{abstract\}", tex, re.S):
        found["Abstract"] = m.group(1).strip()
    parts = re.split(r"\\section\*?\{([^}]*)\}", tex.split("\\begin{document}")[-1])
    for name, body in zip(parts[1::2], parts[2::2], strict=False):
        found[name.strip()] = re.split(r"\\bibliography|\\end\{document\}", body)[0].strip()
    return found


def fmt_metric(v: object) -> str:
    if isinstance(v, dict):
        mean, std = v.get("means", v.get("mean")), v.get("stds", v.get("std"))
        if isinstance(mean, int | float):
            return f"{mean:.4g}" + (f" ± {std:.2g}" if isinstance(std, int | float) else "")
        return str(mean)
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def results_rows(results: dict | None, baseline: dict | None) -> list[tuple[str, str, str]]:
    keys = list(dict.fromkeys([*(results or {}), *(baseline or {})]))
    return [(k, fmt_metric((results or {}).get(k, "n/a")), fmt_metric((baseline or {}).get(k, "n/a"))) for k in keys]


def caption_of(fig: Path) -> str:
    return fig.stem.replace("_", " ").capitalize()


async def write_paper(model: Model, *, idea: Idea, description: str, skeleton: Path, references: Path | None,
                      results: dict | None, baseline: dict | None, figures: list[Path], hits: list[Hit],
                      out_dir: Path, tex: TexStatus, notes: str = "", revision: str | None = None,
                      previous: dict[str, str] | None = None) -> PaperResult:
    """Generate each section (or revise `previous` following `revision`), then build paper.md and, when
    `tex.available`, compile paper.pdf."""
    start = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)
    skeleton_text = skeleton.read_text(errors="replace")
    hints = skeleton_sections(skeleton_text)
    template_bib = references.read_text(errors="replace") if references and references.exists() else ""
    bib_hits, by_key = bib_entries(hits, bib_keys(template_bib))
    keys = bib_keys(template_bib) | set(by_key)
    figs = {"fig:" + re.sub(r"[^\w.-]", "_", f.stem): f for f in figures}
    rows = results_rows(results, baseline)
    context = (
        f"Title: {idea.title}\nIdea: {idea.model_dump_json(include={'hypothesis', 'experiment_plan'})}\n\n"
        f"Template description:\n{description[:3000]}\n\nResults (metric: this idea | baseline):\n"
        + "\n".join(f"- {k}: {a} | {b}" for k, a, b in rows) + (f"\n\nNotes on the runs:\n{notes[:2000]}" if notes else "")
        + "\n\nCitation markers you may use:\n"
        + ("\n".join(f"  [@{k}] {h.title} ({h.year or 'n.d.'})" for k, h in by_key.items())
           + "".join(f"\n  [@{k}] (template reference)" for k in sorted(bib_keys(template_bib))) or "  (none)")
        + "\n\nFigure and table markers you may use:\n"
        + "".join(f"  [{label}] {caption_of(f)}\n" for label, f in figs.items()) + "  [tab:results] the results table\n"
    )
    sections: dict[str, str] = {}
    for name in SECTIONS:
        # The latest sections, within ~3000 characters: coherence without overflowing small (8k) contexts.
        written = "\n\n".join(f"## {k}\n{v[:1200]}" for k, v in sections.items())[-3000:]
        ask = (f"{context}\nSections written so far:\n{written or '(none)'}\n\nSection: {name}\n"
               f"Skeleton guidance for this section: {hints.get(name, '')[:1500] or '(none)'}\n")
        if revision and previous and name in previous:
            ask += (f"\nThe previous version of this section:\n{previous[name][:4000]}\n\nRevise it to address the "
                    f"reviewer's criticism and the revision plan:\n{revision[:3000]}\n")
        ask += f"\nWrite the {name} section (about {WORDS[name]} words). Return JSON {{\"content\": ...}}."
        out = await model.generate([Message(role="system", content=SYSTEM), Message(role="user", content=ask)],
                                   GenerateConfig(temperature=0.3, max_tokens=1500, json_schema=SECTION_SCHEMA,
                                                  schema_name="section", task="writeup"))
        content = out.parsed.get("content") if isinstance(out.parsed, dict) else None
        sections[name] = str(content if content is not None else out.text).strip()
    fixes: list[str] = []
    md = to_markdown(idea.title, sections, rows, figs, by_key, set(keys), fixes)
    for f in figs.values():
        shutil.copy(f, out_dir / f.name)
    md_path = out_dir / "paper.md"
    md_path.write_text(md)
    result = PaperResult(format="md", path=md_path, markdown_path=md_path, sections=sections)
    if tex.available and tex.engine:
        tex_fixes: list[str] = []
        latex_dir = out_dir / "latex"
        latex_dir.mkdir(exist_ok=True)
        for f in figs.values():
            shutil.copy(f, latex_dir / f.name)
        for extra in skeleton.parent.iterdir():  # .sty/.bst/.cls files the skeleton needs
            if extra.suffix in (".sty", ".bst", ".cls") and extra.is_file():
                shutil.copy(extra, latex_dir / extra.name)
        (latex_dir / "references.bib").write_text(template_bib + "\n" + bib_hits)
        doc = to_latex(skeleton_text, idea.title, sections, rows, figs, set(keys), tex_fixes)
        doc = check_document(doc, latex_dir, keys, tex_fixes)
        if "\\cite" not in doc:  # bibtex errors on a bibliography with no citation
            doc = re.sub(r"\\bibliography(style)?\{[^}]*\}", "", doc)
        result.tex_path = latex_dir / "paper.tex"
        result.tex_path.write_text(doc)
        pdf, log = compile_pdf(result.tex_path, tex.engine)
        fixes += [f for f in tex_fixes if f not in fixes]
        if pdf is not None:
            shutil.copy(pdf, out_dir / "paper.pdf")
            result.format, result.path = "pdf", out_dir / "paper.pdf"
        else:
            result.compile_error = f"LaTeX compile failed, the Markdown paper is used: {log[:800]}"
    result.fixes, result.seconds = fixes, round(time.monotonic() - start, 2)
    (out_dir / "writeup.json").write_text(json.dumps(result.model_dump(mode="json"), indent=1))
    return result


def to_latex(skeleton: str, title: str, sections: dict[str, str], rows, figs: dict[str, Path],
             keys: set[str], fixes: list[str]) -> str:
    """Fill the skeleton: each whole-line {{PLACEHOLDER}} (TITLE, ABSTRACT, INTRODUCTION, RELATEDWORK, ...)
    becomes our LaTeX; a skeleton without placeholders keeps its preamble and gets our body."""
    labels = {*figs, "tab:results"}
    filled = {"TITLE": escape(title)}
    for name in SECTIONS:
        text = "\n\n".join(prose_to_tex(p, keys, labels, fixes, name) for p in sections[name].split("\n\n"))
        if name == "Results":
            text += "\n\n" + results_table(rows) + "".join("\n\n" + figure_env(label, f) for label, f in figs.items())
        filled[placeholder(name)] = text
    if "{{ABSTRACT}}" in skeleton:
        doc = skeleton
        for key, value in filled.items():
            doc = re.sub(r"^[ \t]*\{\{" + key + r"\}\}[ \t]*$", lambda m, v=value: v, doc, flags=re.M)
        return doc
    preamble = skeleton.split("\\begin{document}")[0] if "\\begin{document}" in skeleton else "\\documentclass{article}\n"
    preamble += "".join(f"\\usepackage{p}\n" for p in ("{graphicx}", "[numbers]{natbib}", "{url}")
                        if p.split("{")[-1] not in preamble)
    style = (re.search(r"\\bibliographystyle\{([^}]*)\}", skeleton) or [None, "plainnat"])[1]
    body = ["\\begin{document}", f"\\title{{{filled['TITLE']}}}", "\\author{Anonymous}", "\\maketitle",
            f"\\begin{{abstract}}\n{filled['ABSTRACT']}\n\\end{{abstract}}"]
    body += [f"\\section{{{name}}}\n{filled[placeholder(name)]}" for name in SECTIONS[1:]]
    body += [f"\\bibliographystyle{{{style}}}", "\\bibliography{references}", "\\end{document}"]
    return preamble + "\n".join(body) + "\n"


def placeholder(section: str) -> str:
    return re.sub(r"[^A-Z]", "", section.upper())


def results_table(rows) -> str:
    table = "\n".join(f"{escape(k)} & {escape(a)} & {escape(b)} \\\\" for k, a, b in rows) or "n/a & & \\\\"
    return ("\\begin{table}[t]\n\\centering\n\\caption{Final metrics (mean $\\pm$ std over seeds) of this idea and of the "
            "unmodified baseline.}\n\\label{tab:results}\n\\resizebox{\\linewidth}{!}{\\begin{tabular}{lll}\n\\hline\n"
            f"Metric & This idea & Baseline \\\\\n\\hline\n{table}\n\\hline\n\\end{{tabular}}}}\n\\end{{table}}")


def figure_env(label: str, f: Path) -> str:
    return (f"\\begin{{figure}}[t]\n\\centering\n\\includegraphics[width=0.9\\linewidth]{{{f.name}}}\n"
            f"\\caption{{{escape(caption_of(f))}}}\n\\label{{{label}}}\n\\end{{figure}}")


def to_markdown(title: str, sections: dict[str, str], rows, figs: dict[str, Path], by_key: dict[str, Hit],
                keys: set[str], fixes: list[str]) -> str:
    """The same paper as Markdown: numbered citations [n] with a reference list, Figure N / Table 1."""
    numbers: dict[str, int] = {}
    fig_no = {label: i + 1 for i, label in enumerate(figs)}

    def marker(m: re.Match, where: str) -> str:
        if m.group(1):
            cited = []
            for raw in m.group(1).split(";"):
                k = raw.strip().lstrip("@")
                k = next((x for x in keys if x.lower() == k.lower()), None)
                if k is None:
                    fixes.append(f"{where}: dropped citation {raw.strip()!r} (no such reference)")
                    continue
                cited.append(str(numbers.setdefault(k, len(numbers) + 1)))
            return f"[{', '.join(cited)}]" if cited else ""
        label = m.group(2)
        if label == "tab:results":
            return "Table 1"
        if label in fig_no:
            return f"Figure {fig_no[label]}"
        fixes.append(f"{where}: replaced reference to missing {label!r}")
        return "the figure" if label.startswith("fig:") else "the table"

    lines = [f"# {title}", ""]
    for name in SECTIONS:
        text = MARKER.sub(lambda m, n=name: marker(m, n), sections[name])
        lines += [f"## {name}", "", text, ""]
        if name == "Results":
            lines += ["Table 1: Final metrics (mean ± std over seeds) of this idea and of the unmodified baseline.", "",
                      "| Metric | This idea | Baseline |", "|---|---|---|", *(f"| {k} | {a} | {b} |" for k, a, b in rows), ""]
            lines += [f"![Figure {fig_no[label]}: {caption_of(f)}]({f.name})\n\nFigure {fig_no[label]}: {caption_of(f)}\n"
                      for label, f in figs.items()]
    if numbers:
        lines += ["## References", ""]
        for k, n in sorted(numbers.items(), key=lambda kv: kv[1]):
            h = by_key.get(k)
            lines.append(f"[{n}] " + (f"{', '.join(h.authors[:3])}{' et al.' if len(h.authors) > 3 else ''}. "
                                      f"{h.title}. {h.venue or ''} {h.year or ''}. {h.url or ''}".strip()
                                      if h else f"{k} (template reference)"))
    return "\n".join(lines) + "\n"
