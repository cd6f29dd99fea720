"""The `aisci` console command: a thin dispatcher.

Each package lists its commands in its own `cli.py` (`COMMANDS`: command path -> (module, one-line help)).
Only the module of the command being run is imported, so `aisci --help` stays fast and a missing
optional extra only breaks the command that needs it.
A command module defines `EXAMPLES` (str), `add_arguments(parser)` and `main(args) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

PACKAGES = ("reviewer", "benchmarks", "scientist")

EPILOG = """examples:
  aisci review paper.pdf                          # offline, embedded local model when no API key is set
  aisci review paper.pdf --model openai/gpt-4o-2024-05-13 --ensemble 5 --json
  aisci bench run --dataset ../shared/data/iclr2022 --model mock/default --limit 10 --out runs/mock
  aisci bench score --dataset ../shared/data/iclr2022 --reviews runs/mock
  aisci calibrate cv --dataset ../shared/data/iclr2022 --reviews reviews.csv
  aisci scientist run --template grokking --model mock/default --smoke --out out/sci
  aisci <command> --help                          # every command has its own examples
"""


def _commands() -> dict[tuple[str, ...], tuple[str, str]]:
    table: dict[tuple[str, ...], tuple[str, str]] = {}
    for pkg in PACKAGES:
        table.update(importlib.import_module(f"{pkg}.cli").COMMANDS)
    return table


def _overview(table: dict[tuple[str, ...], tuple[str, str]]) -> str:
    width = max(len(" ".join(k)) for k in table)
    rows = [f"  {' '.join(k):<{width}}  {help_}" for k, (_, help_) in sorted(table.items())]
    return "usage: aisci <command> [options]\n\ncommands:\n" + "\n".join(rows) + "\n\n" + EPILOG


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    table = _commands()
    # The longest command path that prefixes argv selects the command.
    match = max((k for k in table if tuple(argv[: len(k)]) == k), key=len, default=None)
    if match is None:
        groups = {k[0] for k in table if len(k) > 1}
        if argv and argv[0] in groups:
            sub = {k: v for k, v in table.items() if k[0] == argv[0]}
            print(_overview(sub))
            return 0 if len(argv) == 1 or argv[1] in ("-h", "--help") else 2
        print(_overview(table))
        return 0 if not argv or argv[0] in ("-h", "--help") else 2
    module_name, help_ = table[match]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(
        prog="aisci " + " ".join(match),
        description=help_,
        epilog="examples:\n" + module.EXAMPLES.strip("\n"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)
    args = parser.parse_args(argv[len(match):])
    try:
        return int(module.main(args) or 0)
    except KeyboardInterrupt:
        print("aisci: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    """Console entry point: a closed pipe (`aisci --help | head`) is not an error."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    sys.exit(code)


if __name__ == "__main__":
    entry()
