"""`aisci models`: providers, known models with prices, and which API keys are present."""

from __future__ import annotations

import argparse
import json
import os

EXAMPLES = """
  aisci models
  aisci models --json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def main(args: argparse.Namespace) -> int:
    from reviewer.llm.registry import OPENAI_COMPATIBLE, PROVIDERS
    from reviewer.llm.usage import price_table

    keys = {var: bool(os.environ.get(var)) for var in
            sorted({v for _, v, _ in OPENAI_COMPATIBLE.values()} | {"ANTHROPIC_API_KEY"})}
    providers = {p: (OPENAI_COMPATIBLE[p][0] or "https://api.openai.com/v1") if p in OPENAI_COMPATIBLE else
                 {"anthropic": "https://api.anthropic.com", "local": "embedded llama.cpp server (offline)",
                  "mock": "scripted answers (tests, offline smoke runs)"}[p] for p in PROVIDERS}
    prices = price_table()
    if args.json:
        print(json.dumps({"providers": providers, "models": prices, "api_keys_present": keys}, indent=2))
        return 0
    print("providers:")
    for p, where in providers.items():
        print(f"  {p:<11} {where}")
    print("\nknown models (USD per 1M tokens: input / cached input / output; source, date):")
    for name, pr in prices.items():
        cached = "-" if pr.get("cached_input") is None else f"{pr['cached_input']:g}"
        print(f"  {name:<40} {pr['input']:>6g} / {cached:>6} / {pr['output']:>6g}   {pr['source']}, {pr['date']}")
    print("\nother models work too; their cost is reported as null (unknown), never 0.")
    print("\nAPI keys present:")
    for var, present in keys.items():
        print(f"  {var:<20} {'yes' if present else 'no'}")
    return 0
