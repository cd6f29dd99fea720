"""Model-proposed code edits as search/replace blocks (Aider-like), applied exactly or rejected with a reason.

    experiment.py
    <<<<<<< SEARCH
    old lines
    =======
    new lines
    >>>>>>> REPLACE

Application is all-or-nothing per answer: if any block is rejected nothing is written, so a retry
starts from known code. Each reason is one line meant to be shown to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, Field

SEARCH_RE = re.compile(r"^\s*<{5,9} ?SEARCH\s*$")
DIVIDER_RE = re.compile(r"^\s*={5,9}\s*$")
REPLACE_RE = re.compile(r"^\s*>{5,9} ?REPLACE\s*$")
FENCE_RE = re.compile(r"^\s*```")


@dataclass
class EditBlock:
    path: str
    search: str
    replace: str
    index: int  # 1-based position in the answer, for messages


class Rejection(BaseModel):
    block: int  # 0 = the answer as a whole
    path: str
    reason: str


class EditReport(BaseModel):
    applied: int = 0
    files_changed: list[str] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected and self.applied > 0

    def feedback(self) -> str:
        """What to tell the model when the edits were not applied."""
        return "\n".join(f"- block {r.block} ({r.path}): {r.reason}" for r in self.rejected)


def _path_line(line: str) -> str:
    """A filename written before a block: `experiment.py`, ### experiment.py, **experiment.py**."""
    name = line.strip().strip("`*#:").strip()
    looks_like_path = ("." in name or "/" in name) and " " not in name
    return name if looks_like_path and len(name) < 200 else ""


def parse_edit_blocks(text: str, default_path: str = "experiment.py") -> tuple[list[EditBlock], list[Rejection]]:
    """All complete blocks in `text`, plus a rejection per malformed (unterminated) one."""
    lines = text.splitlines()
    blocks, problems, i = [], [], 0
    while i < len(lines):
        if not SEARCH_RE.match(lines[i]):
            i += 1
            continue
        path = default_path
        for back in range(i - 1, max(i - 3, -1), -1):  # the filename sits just above (maybe above a fence)
            if FENCE_RE.match(lines[back]) and not lines[back].strip().strip("`"):
                continue
            candidate = _path_line(lines[back]) if not FENCE_RE.match(lines[back]) else ""
            if candidate:
                path = candidate
            break
        index = len(blocks) + len(problems) + 1
        try:
            div = next(j for j in range(i + 1, len(lines)) if DIVIDER_RE.match(lines[j]))
            end = next(j for j in range(div + 1, len(lines)) if REPLACE_RE.match(lines[j]))
        except StopIteration:
            problems.append(Rejection(block=index, path=path, reason="unterminated block: expected '=======' "
                                      "and '>>>>>>> REPLACE' after '<<<<<<< SEARCH'"))
            break
        if any(SEARCH_RE.match(x) for x in lines[i + 1 : end]):
            problems.append(Rejection(block=index, path=path, reason="block has a nested '<<<<<<< SEARCH'"))
            i = end + 1
            continue
        search = "\n".join(lines[i + 1 : div])
        replace = "\n".join(lines[div + 1 : end])
        blocks.append(EditBlock(path, search + "\n" if search else "", replace + "\n" if replace else "", index))
        i = end + 1
    return blocks, problems


def resolve_inside(workdir: Path, rel: str) -> Path:
    """The file `rel` inside `workdir`; ValueError with the reason when it would leave it."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if not rel.strip():
        raise ValueError("empty file name")
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", rel):
        raise ValueError(f"absolute path {rel!r} not allowed; use a path relative to the experiment dir")
    if ".." in pure.parts:
        raise ValueError(f"path {rel!r} leaves the experiment dir ('..')")
    root = workdir.resolve()
    target = (root / pure).resolve()  # resolves symlinks too: a link pointing outside is refused
    if target != root and root not in target.parents:
        raise ValueError(f"path {rel!r} resolves outside the experiment dir")
    return target


def _find_loose(content: str, search: str) -> list[tuple[int, int, str]]:
    """Line-level matches ignoring trailing whitespace and a uniform extra indentation.

    Returns (first line, line count, indentation to add to the replacement) per match."""
    file_lines = content.splitlines()
    want = search.splitlines()
    while want and not want[-1].strip():
        want.pop()
    while want and not want[0].strip():
        want.pop(0)
    if not want:
        return []
    first = want[0].rstrip()
    matches = []
    for start in range(len(file_lines) - len(want) + 1):
        line = file_lines[start].rstrip()
        extra = line[: len(line) - len(first)]
        if not line.endswith(first) or extra.strip():
            continue
        if all((not w.strip() and not f.strip()) or f.rstrip() == extra + w.rstrip()
               for w, f in zip(want, file_lines[start : start + len(want)], strict=True)):
            matches.append((start, len(want), extra))
    return matches


def apply_one(content: str, block: EditBlock) -> str:
    """`content` with the block applied; ValueError with the reason when it cannot be."""
    if not block.search.strip():
        raise ValueError("empty SEARCH section (to change a file, quote the exact lines to replace)")
    if block.search == block.replace:
        raise ValueError("SEARCH and REPLACE are identical (no change)")
    count = content.count(block.search)
    if count == 1:
        return content.replace(block.search, block.replace, 1)
    if count > 1:
        raise ValueError(f"SEARCH text is ambiguous: found {count} times; include more surrounding lines")
    loose = _find_loose(content, block.search)
    if len(loose) > 1:
        raise ValueError(f"SEARCH text is ambiguous: found {len(loose)} times (ignoring whitespace); "
                         "include more surrounding lines")
    if not loose:
        head = block.search.strip().splitlines()[0][:80]
        raise ValueError(f"SEARCH text not found (first line: {head!r}); copy the lines exactly from the file")
    start, n, extra = loose[0]
    lines = content.splitlines(keepends=True)
    new = [(extra + r if r.strip() else r) for r in block.replace.splitlines(keepends=True)]
    return "".join(lines[:start] + new + lines[start + n :])


def apply_edits(text: str, workdir: Path, allowed: list[str] | None = ("experiment.py",),
                default_path: str = "experiment.py") -> EditReport:
    """Parse the model's answer and apply every block to files in `workdir`, all or nothing.

    `allowed`: the only files the model may edit (None = any file inside workdir)."""
    blocks, problems = parse_edit_blocks(text, default_path)
    report = EditReport(rejected=list(problems))
    if not blocks and not problems:
        report.rejected.append(Rejection(block=0, path="", reason="no '<<<<<<< SEARCH' ... '>>>>>>> REPLACE' "
                                         "block found in the answer"))
    new_text: dict[Path, str] = {}
    names: dict[Path, str] = {}
    for block in blocks:
        try:
            target = resolve_inside(workdir, block.path)
            rel = target.relative_to(workdir.resolve()).as_posix()
            if allowed is not None and rel not in allowed:
                raise ValueError(f"file {block.path!r} may not be edited (allowed: {', '.join(allowed)})")
            if target not in new_text:
                if not target.is_file():
                    raise ValueError(f"file {block.path!r} does not exist in the experiment dir")
                new_text[target] = target.read_text(encoding="utf-8")
            new_text[target] = apply_one(new_text[target], block)
            names[target] = rel
            report.applied += 1
        except ValueError as exc:
            report.rejected.append(Rejection(block=block.index, path=block.path, reason=str(exc)))
    for target, content in new_text.items():
        if target.suffix == ".py":
            try:
                compile(content, names.get(target, target.name), "exec")
            except SyntaxError as exc:
                report.rejected.append(Rejection(block=0, path=names.get(target, target.name),
                                                 reason=f"edited file does not compile: line {exc.lineno}: {exc.msg}"))
    if report.rejected:
        report.applied = 0
        return report
    for target, content in new_text.items():
        tmp = target.with_name(target.name + ".edit-tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.replace(target)
        report.files_changed.append(names[target])
    return report


MARKER_RE = re.compile(r"^# AISCI-EDITABLE: learning rate(?: \(mock edit (\d+)\))?$", re.M)


def mock_code_edit(messages, config) -> str:
    """Canned `code_edit` answer for mock/default: a harmless edit of the marker comment that every
    template's experiment.py carries, numbered so that each round's edit is a real change."""
    text = "\n".join(m.content for m in messages if m.role == "user")
    found = list(MARKER_RE.finditer(text))
    if not found:
        return "I found no '# AISCI-EDITABLE: learning rate' line to edit, so I propose no change."
    last = found[-1]
    n = int(last.group(1) or 0) + 1
    return ("Keeping the learning rate; annotating the hyper-parameter block.\n\nexperiment.py\n"
            f"<<<<<<< SEARCH\n{last.group(0)}\n=======\n# AISCI-EDITABLE: learning rate (mock edit {n})\n"
            ">>>>>>> REPLACE\n")


def register_mock_answer() -> None:
    from reviewer.llm.providers.mock_answers import register_answer

    register_answer("code_edit", mock_code_edit)


register_mock_answer()
