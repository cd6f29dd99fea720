"""Write-up: escaping, markers and reference checks, the TeX pre-flight, the Markdown fallback, and (when
pdflatex is installed) the real compile."""

from __future__ import annotations

import shutil
import struct
import time
import zlib
from pathlib import Path

import pytest

from reviewer.llm import get_model
from scientist.ideas import Idea
from scientist.litsearch import Hit
from scientist.paper_tex import TexStatus, check_document, escape, preflight, prose_to_tex
from scientist.templates import load_template
from scientist.writeup import write_paper

HAS_TEX = shutil.which("pdflatex") is not None
needs_tex = pytest.mark.skipif(not HAS_TEX, reason="pdflatex not installed (apt-get install texlive-latex-base texlive-latex-recommended)")

IDEA = Idea(name="wd", title="Weight decay & grokking: 100% of $x_1$", hypothesis="h", experiment_plan="p",
            interestingness=5, feasibility=8, novelty=5)
HITS = [Hit(title="Grokking: Generalization Beyond Overfitting", authors=["Alethea Power", "Yuri Burda"], year=2022,
            venue="arXiv", url="https://arxiv.org/abs/2201.02177", source="semantic_scholar")]
RESULTS = {"x_plus_y/final_val_acc": {"means": 0.91, "stds": 0.02, "seeds": [0, 1]}}
BASELINE = {"x_plus_y/final_val_acc": {"means": 0.55, "stds": 0.05, "seeds": [0, 1]}}


def png(path: Path) -> Path:
    """A real 1x1 PNG (no plotting library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    path.write_bytes(raw + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))
    return path


def test_escape_and_markers():
    assert escape("50% & $5 #1 a_b {x} ~ ^ \\") == r"50\% \& \$5 \#1 a\_b \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{}"
    assert escape("± ≤ 漢") == r"\ensuremath{\pm} \ensuremath{\leq} ?"
    fixes: list[str] = []
    tex = prose_to_tex("As shown [@Power2022] and [@nope; @power2022], see [fig:acc] and [fig:missing]; "
                       "$\\alpha \\leq 0.5$ but $\\input{/etc/passwd}$ 10% \\textbf{x}",
                       {"power2022"}, {"fig:acc"}, fixes, "Intro")
    assert "~\\citep{power2022}" in tex and tex.count("\\citep") == 2 and "nope" not in tex
    assert "Figure~\\ref{fig:acc}" in tex and "the figure" in tex
    assert "$\\alpha \\leq 0.5$" in tex and "\\input{" not in tex and "\\textbackslash{}input" in tex
    assert "10\\%" in tex and "\\textbackslash{}textbf" in tex
    assert any("dropped citation 'nope'" in f for f in fixes) and any("fig:missing" in f for f in fixes)
    assert any("unsafe math" in f for f in fixes)


def test_check_document_removes_missing_targets(tmp_path):
    png(tmp_path / "ok.png")
    doc = ("\\label{sec:a} \\ref{sec:a} \\ref{sec:b} \\citep{k1,k2} \\cite{k3} "
           "\\includegraphics[width=1cm]{ok.png} \\includegraphics{gone.png}")
    fixes: list[str] = []
    out = check_document(doc, tmp_path, {"k1"}, fixes)
    assert "\\ref{sec:a}" in out and "\\ref{sec:b}" not in out
    assert "\\citep{k1}" in out and "k2" not in out and "\\cite{k3}" not in out
    assert "{ok.png}" in out and "gone.png" not in out
    assert len(fixes) == 4


def test_preflight_without_tex_is_fast_and_says_why(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    t0 = time.monotonic()
    status = preflight(load_template("grokking").latex_template)
    assert not status.available and "no pdflatex" in status.reason and time.monotonic() - t0 < 1


async def test_markdown_fallback(tmp_path):
    t = load_template("grokking")
    model = get_model("mock/scripted", script=[
        {"content": f"Section {i} [@power2022grokkingb] [@missing] [fig:acc] [tab:results] 3 ± 1."} for i in range(7)])
    paper = await write_paper(model, idea=IDEA, description=t.description, skeleton=t.latex_template,
                              references=t.references_bib, results=RESULTS, baseline=BASELINE,
                              figures=[png(tmp_path / "acc.png")], hits=HITS, out_dir=tmp_path / "paper",
                              tex=TexStatus(available=False, reason="test"))
    assert paper.format == "md" and paper.path.name == "paper.md" and paper.tex_path is None
    md = paper.path.read_text()
    assert md.startswith("# Weight decay & grokking")
    assert all(f"## {s}" in md for s in ("Abstract", "Introduction", "Related Work", "Method", "Experimental Setup",
                                         "Results", "Conclusion", "References"))
    assert "| x_plus_y/final_val_acc | 0.91 ± 0.02 | 0.55 ± 0.05 |" in md  # the real numbers, not model text
    assert "Section 0 [1]" in md and "Figure 1 Table 1" in md and "[1] Alethea Power, Yuri Burda. Grokking" in md
    assert "![Figure 1: Acc](acc.png)" in md and (tmp_path / "paper" / "acc.png").exists()
    assert sum("missing" in f for f in paper.fixes) == 7  # recorded once per section
    assert not (tmp_path / "paper" / "paper.pdf").exists()
    assert paper.sections["Method"].startswith("Section 3")  # raw text kept for revision


@needs_tex
def test_preflight_detects_missing_package(tmp_path):
    (tmp_path / "template.tex").write_text("\\documentclass{article}\n\\usepackage{surelynotapackage}\n"
                                           "\\begin{document}\n{{ABSTRACT}}\n\\end{document}\n")
    status = preflight(tmp_path / "template.tex")
    assert not status.available and "surelynotapackage.sty" in status.reason
    assert preflight(load_template("grokking").latex_template).available


@needs_tex
async def test_compile_pdf(tmp_path):
    from pypdf import PdfReader

    t = load_template("grokking")
    paper = await write_paper(get_model("mock/default"), idea=IDEA, description=t.description,
                              skeleton=t.latex_template, references=t.references_bib, results=RESULTS,
                              baseline=BASELINE, figures=[png(tmp_path / "acc.png")], hits=HITS,
                              out_dir=tmp_path / "paper", tex=preflight(t.latex_template))
    assert paper.format == "pdf", paper.compile_error
    text = "".join(p.extract_text() for p in PdfReader(paper.path).pages)
    assert "Weight decay & grokking: 100% of $x_1$" in text.replace("\n", " ")
    assert "Grokking: Generalization Beyond" in text and "0.91" in text
    assert "??" not in text  # every reference resolved
    assert (tmp_path / "paper" / "paper.md").exists()


@needs_tex
async def test_compile_failure_falls_back_to_markdown(tmp_path):
    (tmp_path / "t.tex").write_text("\\documentclass{article}\n\\usepackage{surelynotapackage}\n\\begin{document}\n"
                                    "\\begin{abstract}\n{{ABSTRACT}}\n\\end{abstract}\n\\end{document}\n")
    paper = await write_paper(get_model("mock/default"), idea=IDEA, description="d", skeleton=tmp_path / "t.tex",
                              references=None, results=RESULTS, baseline=None, figures=[], hits=[],
                              out_dir=tmp_path / "paper", tex=TexStatus(available=True, engine="pdflatex"))
    assert paper.format == "md" and "surelynotapackage" in paper.compile_error
    assert paper.path.read_text().startswith("# Weight decay")
