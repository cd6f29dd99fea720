"""`aisci --help` and every command's --help show at least one example."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reviewer.aisci import _commands, main


def test_top_level_help_lists_every_command_and_examples(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for path in _commands():
        assert " ".join(path) in out
    assert "examples:" in out and "aisci review" in out


@pytest.mark.parametrize("path", sorted(_commands()), ids=lambda p: " ".join(p))
def test_every_command_help_has_an_example(path):
    # A subprocess, as a user runs it: --help exits 0 and ends with real example command lines.
    proc = subprocess.run([sys.executable, "-m", "reviewer.aisci", *path, "--help"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    examples = proc.stdout.split("examples:", 1)
    assert len(examples) == 2, proc.stdout
    assert f"aisci {' '.join(path)}" in examples[1]


def test_unknown_command_fails_with_the_overview(capsys):
    assert main(["no-such-command"]) == 2
    assert "commands:" in capsys.readouterr().out
