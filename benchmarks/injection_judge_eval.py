"""Measure the LLM judge (reviewer/injection_judge.py) for one model, beside the offline detector alone.

    python -m benchmarks.injection_judge_eval --model openai/gpt-4o-mini \\
        --set data/injection/heldout_v22.json --papers ../shared/data/iclr2022/papers --json
    python -m benchmarks.injection_judge_eval --candidates-only --set data/injection/heldout_v21.json \\
        --papers ../shared/data/iclr2022/papers          # no model: how often the judge would see the line

Each phrasing of the set is placed in one clean paper (seeded choice of paper and of place: after the first
paragraph, after a sentence in the middle, or in the last fifth), after the sanitizer, as `aisci review`
sees it. Recall: the injected line overlaps a flagged span. False alarms: clean papers (the first --clean
files, sorted) with any flagged span, and (with --lookalikes) legitimate sentences about reviewing, scores and
prompting placed the same way whose line is flagged. All are given for the offline detector alone and with
the judge.
"Candidate recall" is the judge's ceiling: the line was flagged offline or is among the passages it reads.
A set is a JSON list of strings; measure a held-out set once, after everything it tests is frozen.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from reviewer.injection import detect_injection
from reviewer.injection_judge import judge, passages
from reviewer.paper import Paper, paper_from_text
from reviewer.pipeline import ReviewerConfig
from reviewer.result import ReviewResult

PLACES = ("after the first paragraph", "middle", "last fifth")


@dataclass
class Item:
    text: str
    line: tuple[int, int] | None  # the injected line; None for a clean paper
    offline: list[dict]
    added: list[dict] = field(default_factory=list)
    error: str | None = None

    def caught(self, spans: list[dict]) -> bool:
        if self.line is None:
            return bool(spans)
        a, b = self.line
        return any(s["start"] < b and s["end"] > a for s in spans)


def place(text: str, phrase: str, where: str) -> tuple[str, tuple[int, int]]:
    """`text` with `phrase` inserted as its own sentence at `where`; the phrase's offsets."""
    n = len(text)
    if where == "after the first paragraph":
        cut = text.find("\n\n", min(n // 20, 2000))
        cut = cut + 2 if cut >= 0 else n
    else:
        lo = n // 2 if where == "middle" else 4 * n // 5
        dot = text.find(". ", lo)
        cut = dot + 2 if dot >= 0 else n
    return text[:cut] + phrase + " " + text[cut:], (cut, cut + len(phrase))


def build(phrases: list[str], papers: list[Path], n_clean: int, seed: int,
          lookalikes: list[str] = ()) -> tuple[list[Item], list[Item], list[Item]]:
    """(injected, clean, look-alike) papers with the offline detector's spans."""
    rng = random.Random(seed)
    loaded: dict[Path, Paper] = {}

    def paper(p: Path) -> Paper:  # sanitized and checked by the offline detector once per file
        if p not in loaded:
            loaded[p] = paper_from_text(p.read_text(encoding="utf-8", errors="replace"), sanitize=True)
        return loaded[p]

    def placed(lines: list[str], desc: str) -> list[Item]:
        out = []
        for line in tqdm(lines, desc=desc, unit="paper", file=sys.stderr):
            text, span = place(paper(rng.choice(papers)).text, line, rng.choice(PLACES))
            out.append(Item(text, span, detect_injection(text)[1]))
        return out

    injected = placed(phrases, "injected papers")
    similar = placed(list(lookalikes), "look-alike papers")
    clean = []
    for p in tqdm(papers[:n_clean], desc="clean papers", unit="paper", file=sys.stderr):
        clean.append(Item(paper(p).text, None, list(paper(p).injection_spans)))
    return injected, clean, similar


async def run_judge(items: list[Item], model, config: ReviewerConfig, k: int) -> ReviewResult:
    """Judge every item the offline detector did not catch; the returned result holds every call's trace."""
    from reviewer.calls import Caller

    result = ReviewResult(model=model.name)
    caller = Caller(model, config, result)
    todo = [it for it in items if not it.caught(it.offline)]
    bar = tqdm(total=len(todo), desc=f"judge ({model.name})", unit="paper", file=sys.stderr)

    async def one(it: Item) -> None:
        it.added, it.error = await judge(caller, it.text, it.offline, k)
        bar.update()

    await asyncio.gather(*(one(it) for it in todo))
    bar.close()
    return result


def rate(items: list[Item], judged: bool) -> float | None:
    if not items:
        return None
    return sum(it.caught(it.offline + (it.added if judged else [])) for it in items) / len(items)


def candidate_recall(items: list[Item], k: int) -> float | None:
    if not items:
        return None
    hits = 0
    for it in items:
        a, b = it.line  # type: ignore[misc]
        hits += it.caught(it.offline) or any(s < b and e > a for s, e in passages(it.text, it.offline, k))
    return hits / len(items)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", required=True, type=Path, help="JSON list of injection phrasings")
    ap.add_argument("--lookalikes", type=Path, help="JSON list of legitimate look-alike sentences (false alarms)")
    ap.add_argument("--papers", required=True, type=Path, help="directory of clean paper .txt/.md files")
    ap.add_argument("--clean", type=int, default=388, help="number of clean papers for false alarms (default 388)")
    ap.add_argument("--passages", type=int, default=3, help="passages the judge reads per paper (default 3)")
    ap.add_argument("--model", help="provider/model of the judge (default: the reviewer's default model)")
    ap.add_argument("--base-url", help="OpenAI-compatible server URL")
    ap.add_argument("--candidates-only", action="store_true", help="make no model call; report the judge's ceiling")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)

    try:
        raw, phrases = read_lines(args.set)
        lookalikes = read_lines(args.lookalikes)[1] if args.lookalikes else []
    except ValueError as e:
        print(f"aisci: {e}", file=sys.stderr)
        return 2
    papers = sorted(p for p in args.papers.glob("*") if p.suffix in (".txt", ".md")) if args.papers.is_dir() else []
    if not papers:
        print(f"aisci: {args.papers}: no .txt or .md papers there", file=sys.stderr)
        return 2

    model = None
    if not args.candidates_only:  # a missing key or unknown provider fails now, not after the offline pass
        from reviewer.llm import default_model_name, get_model
        from reviewer.llm.errors import ConfigError

        try:
            model = get_model(args.model or default_model_name(), base_url=args.base_url)
        except (ConfigError, ValueError) as e:
            print(f"aisci: {e}", file=sys.stderr)
            return 2

    start = time.perf_counter()
    injected, clean, similar = build(phrases, papers, args.clean, args.seed, lookalikes)
    out: dict = {
        "set": str(args.set), "set_sha256": hashlib.sha256(raw).hexdigest(), "n_injected": len(injected),
        "n_clean": len(clean), "n_lookalikes": len(similar), "passages": args.passages, "seed": args.seed,
        "offline": {"recall": rate(injected, False), "false_alarm_rate": rate(clean, False),
                    "lookalikes_flagged": rate(similar, False)},
        "candidate_recall": candidate_recall(injected, args.passages),
    }
    if model is None:
        out["with_judge"] = None
        out["with_judge_note"] = "not measured: --candidates-only makes no model call"
    else:
        everything = injected + clean + similar
        result = asyncio.run(_judged(everything, model, args.passages))
        costs = [c.cost_usd for c in result.trace if c.error is None or c.raw is not None]
        out["model"] = model.name
        out["with_judge"] = {"recall": rate(injected, True), "false_alarm_rate": rate(clean, True),
                             "lookalikes_flagged": rate(similar, True)}
        out["judge_calls"] = len(result.trace)
        out["judge_failures"] = sum(it.error is not None for it in everything)
        out["input_tokens"] = sum(c.usage.input_tokens for c in result.trace)
        out["output_tokens"] = sum(c.usage.output_tokens for c in result.trace)
        out["cost_usd"] = None if any(c is None for c in costs) else round(sum(costs), 6)
    out["seconds"] = round(time.perf_counter() - start, 1)
    if args.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0


def read_lines(path: Path) -> tuple[bytes, list[str]]:
    """(the file's bytes, its JSON list of strings); ValueError naming the file and the cause."""
    try:
        raw = path.read_bytes()
        lines = json.loads(raw)
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: cannot read ({e})") from e
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        raise ValueError(f"{path}: expected a JSON list of strings")
    return raw, lines


async def _judged(items: list[Item], model, k: int) -> ReviewResult:
    try:
        return await run_judge(items, model, ReviewerConfig(model=model.name), k)
    finally:
        await model.aclose()


if __name__ == "__main__":
    raise SystemExit(main())
