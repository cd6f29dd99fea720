"""Search/replace edits: parsed, applied exactly (or loosely on whitespace), rejected with a precise reason."""

from __future__ import annotations

import os

import pytest

from reviewer.llm import GenerateConfig, Message
from scientist.edits import apply_edits, mock_code_edit, parse_edit_blocks
from scientist.templates import list_templates, load_template

CODE = """import math

LEARNING_RATE = 1e-3
STEPS = 100


def train():
    for step in range(STEPS):
        loss = math.exp(-step)
    return loss
"""


def block(search: str, replace: str, path: str = "experiment.py") -> str:
    return f"{path}\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


@pytest.fixture
def work(tmp_path):
    (tmp_path / "experiment.py").write_text(CODE)
    return tmp_path


def reasons(report) -> str:
    return " | ".join(r.reason for r in report.rejected)


def test_exact_edit_is_applied(work):
    report = apply_edits("Sure.\n```python\n" + block("STEPS = 100", "STEPS = 200") + "```\n", work)
    assert report.ok and report.files_changed == ["experiment.py"]
    assert "STEPS = 200" in (work / "experiment.py").read_text()


def test_two_blocks_in_one_answer(work):
    text = block("LEARNING_RATE = 1e-3", "LEARNING_RATE = 3e-3") + "and\n" + block("STEPS = 100", "STEPS = 5")
    report = apply_edits(text, work)
    assert report.applied == 2
    assert "3e-3" in (work / "experiment.py").read_text() and "STEPS = 5" in (work / "experiment.py").read_text()


def test_not_found_is_rejected_and_nothing_written(work):
    text = block("STEPS = 100", "STEPS = 7") + block("STEPS = 999", "STEPS = 1")
    report = apply_edits(text, work)
    assert not report.ok and "not found" in reasons(report) and "STEPS = 999" in reasons(report)
    assert (work / "experiment.py").read_text() == CODE  # all or nothing


def test_ambiguous_search_reports_the_count(work):
    (work / "experiment.py").write_text(CODE + "\nx = 1\nx = 1\n")
    report = apply_edits(block("x = 1", "x = 2"), work)
    assert "ambiguous: found 2 times" in reasons(report)


@pytest.mark.parametrize("path, why", [
    ("../evil.py", "leaves the experiment dir"),
    ("sub/../../evil.py", "leaves the experiment dir"),
    ("/etc/passwd", "absolute path"),
    ("plot.py", "may not be edited"),
    ("missing.py", "may not be edited"),
])
def test_paths_outside_or_not_allowed_are_rejected(work, path, why):
    (work / "plot.py").write_text("print(1)\n")
    report = apply_edits(block("print(1)", "print(2)", path=path), work)
    assert not report.ok and why in reasons(report)
    assert not (work.parent / "evil.py").exists()


def test_symlink_pointing_outside_is_rejected(work, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "target.py"
    outside.write_text("SECRET = 1\n")
    os.symlink(outside, work / "link.py")
    report = apply_edits(block("SECRET = 1", "SECRET = 2", path="link.py"), work, allowed=None)
    assert "resolves outside" in reasons(report)
    assert outside.read_text() == "SECRET = 1\n"


def test_empty_identical_and_missing_blocks(work):
    assert "empty SEARCH" in reasons(apply_edits(block("", "x = 1"), work))
    assert "identical" in reasons(apply_edits(block("STEPS = 100", "STEPS = 100"), work))
    assert "no '<<<<<<< SEARCH'" in reasons(apply_edits("I would change the learning rate.", work))
    unterminated = "experiment.py\n<<<<<<< SEARCH\nSTEPS = 100\n=======\nSTEPS = 1\n"
    assert "unterminated" in reasons(apply_edits(unterminated, work))


def test_whitespace_tolerant_fallback_keeps_indentation(work):
    # The model dropped the indentation and added trailing spaces: still one unambiguous match.
    search = "for step in range(STEPS):   \n    loss = math.exp(-step)"
    replace = "for step in range(STEPS):\n    loss = math.exp(-2 * step)"
    report = apply_edits(block(search, replace), work)
    assert report.ok, reasons(report)
    assert "        loss = math.exp(-2 * step)\n" in (work / "experiment.py").read_text()


def test_edit_that_breaks_syntax_is_rejected(work):
    report = apply_edits(block("STEPS = 100", "STEPS = (100"), work)
    assert "does not compile" in reasons(report)
    assert (work / "experiment.py").read_text() == CODE


def test_filename_forms_are_recognised():
    for header in ("experiment.py", "`experiment.py`", "### experiment.py", "**experiment.py**"):
        blocks, problems = parse_edit_blocks(f"{header}\n```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```")
        assert not problems and blocks[0].path == "experiment.py" and blocks[0].search == "a\n"
    blocks, _ = parse_edit_blocks("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE", default_path="experiment.py")
    assert blocks[0].path == "experiment.py"


@pytest.mark.parametrize("name", list_templates())
def test_mock_code_edit_applies_to_every_template_round_after_round(tmp_path, name):
    code = (load_template(name).experiment_py).read_text()
    (tmp_path / "experiment.py").write_text(code)
    for round_ in (1, 2):
        current = (tmp_path / "experiment.py").read_text()
        msgs = [Message(role="user", content=f"Current experiment.py:\n```python\n{current}```")]
        report = apply_edits(mock_code_edit(msgs, GenerateConfig(task="code_edit")), tmp_path)
        assert report.ok, reasons(report)
        assert f"# AISCI-EDITABLE: learning rate (mock edit {round_})" in (tmp_path / "experiment.py").read_text()


async def test_mock_default_answers_code_edit_requests():
    from reviewer.llm import get_model

    model = get_model("mock/default")
    out = await model.generate([Message(role="user", content="x\n# AISCI-EDITABLE: learning rate\nLR = 1\n")],
                               GenerateConfig(task="code_edit"))
    assert "<<<<<<< SEARCH" in out.text and "(mock edit 1)" in out.text
