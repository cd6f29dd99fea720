"""A tiny character-level transformer language model on a text corpus; metric: validation bits per char.

Usage: python experiment.py --out_dir DIR [--smoke] [--seeds 0 1] [--corpus FILE]
Without --corpus the text is built at run time from the Zen of Python and the docstrings of some
standard-library modules of the running interpreter (nothing downloaded, nothing shipped).
Writes DIR/final_info.json ({metric: {"means", "stds", "seeds", "values"}}), DIR/all_results.json
(loss curves and a sample for plot.py) and DIR/log.txt. Self-contained: copied into a sandbox.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import hashlib
import importlib
import inspect
import io
import json
import math
import os
import time
from pathlib import Path

import torch
from torch import nn

# AISCI-EDITABLE: learning rate
LEARNING_RATE = 3e-3
DIM, LAYERS, HEADS, CONTEXT = 64, 2, 4, 64
BATCH_SIZE = 16
FULL_STEPS, SMOKE_STEPS = 1200, 60
EVAL_EVERY, EVAL_BATCHES = 100, 20
VAL_FRACTION = 0.1
STDLIB_MODULES = ["this", "collections", "functools", "itertools", "json", "argparse", "pathlib", "textwrap",
                  "statistics", "random", "heapq", "bisect", "string", "csv", "datetime", "decimal", "fractions",
                  "difflib", "shutil", "tarfile", "zipfile", "logging", "unittest", "email", "http.client",
                  "urllib.parse", "sqlite3", "threading", "subprocess", "asyncio", "typing", "dataclasses"]
VAL_BLOCK = 1000  # the text is cut into blocks of this many characters; every 10th block is validation


def default_corpus() -> str:
    """The Zen of Python plus docstrings of standard-library modules and their public members."""
    with contextlib.redirect_stdout(io.StringIO()):  # `import this` prints the Zen
        zen = importlib.import_module("this").s  # stored rot13-encoded
    parts = [codecs.decode(zen, "rot13")]
    for name in STDLIB_MODULES[1:]:
        mod = importlib.import_module(name)
        parts.append(inspect.getdoc(mod) or "")
        for attr in sorted(dir(mod)):
            if attr.startswith("_"):
                continue
            obj = getattr(mod, attr, None)
            members = [obj] + ([getattr(obj, m, None) for m in sorted(vars(obj)) if not m.startswith("_")]
                               if inspect.isclass(obj) else [])
            for member in members:
                doc = inspect.getdoc(member)
                if doc and len(doc) > 40:
                    parts.append(doc)
    seen, unique = set(), []
    for p in parts:  # inherited docstrings repeat; keep each once so validation text is unseen
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return "\n\n".join(unique)


class CharTransformer(nn.Module):
    def __init__(self, vocab: int) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, DIM)
        self.pos = nn.Parameter(torch.randn(CONTEXT, DIM) * 0.02)
        block = nn.TransformerEncoderLayer(DIM, HEADS, 4 * DIM, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, LAYERS, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(DIM)
        self.head = nn.Linear(DIM, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(CONTEXT))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[1]
        h = self.blocks(self.tok(x) + self.pos[:n], mask=self.mask[:n, :n], is_causal=True)
        return self.head(self.norm(h))


def batch(data: torch.Tensor, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    idx = torch.randint(0, len(data) - CONTEXT - 1, (BATCH_SIZE,), generator=g)
    x = torch.stack([data[i : i + CONTEXT] for i in idx])
    y = torch.stack([data[i + 1 : i + CONTEXT + 1] for i in idx])
    return x, y


@torch.no_grad()
def bits_per_char(model: nn.Module, data: torch.Tensor, seed: int) -> float:
    g = torch.Generator().manual_seed(seed)
    model.eval()
    losses = [nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()
              for x, y in (batch(data, g) for _ in range(EVAL_BATCHES))]
    model.train()
    return sum(losses) / len(losses) / math.log(2)


@torch.no_grad()
def generate(model: nn.Module, start: torch.Tensor, n: int, seed: int) -> list[int]:
    g = torch.Generator().manual_seed(seed)
    model.eval()
    seq = start.tolist()
    for _ in range(n):
        logits = model(torch.tensor([seq[-CONTEXT:]]))[0, -1]
        seq.append(int(torch.multinomial(torch.softmax(logits, -1), 1, generator=g)))
    return seq[len(start):]


def run(text: str, seed: int, steps: int) -> dict:
    torch.manual_seed(seed)
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text])
    # Every 10th block of VAL_BLOCK characters is validation: unseen text from across the whole corpus
    # (a plain tail split would make validation a different kind of text, e.g. the last module's docs).
    blocks = list(torch.split(data, VAL_BLOCK))
    every = round(1 / VAL_FRACTION)
    train = torch.cat([b for i, b in enumerate(blocks) if i % every != every - 1])
    val = torch.cat([b for i, b in enumerate(blocks) if i % every == every - 1])
    counts = torch.bincount(train, minlength=len(chars)).float() + 1  # add-one unigram reference
    probs = counts / counts.sum()
    unigram_bpc = (-torch.log2(probs[val])).mean().item()
    model = CharTransformer(len(chars))
    opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    lr_sched = torch.optim.lr_scheduler.OneCycleLR(opt, LEARNING_RATE, total_steps=steps, pct_start=0.1)
    g, curve = torch.Generator().manual_seed(seed), []
    eval_every = min(EVAL_EVERY, max(1, steps // 3))  # at least three points on a smoke run's curve
    for step in range(1, steps + 1):
        x, y = batch(train, g)
        loss = nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        lr_sched.step()
        if step % eval_every == 0 or step == steps:
            curve.append({"step": step, "train_bpc": bits_per_char(model, train, seed),
                          "val_bpc": bits_per_char(model, val, seed)})
    sample = "".join(chars[i] for i in generate(model, val[:CONTEXT], 200, seed))
    return {"val_bpc": curve[-1]["val_bpc"], "train_bpc": curve[-1]["train_bpc"], "unigram_val_bpc": unigram_bpc,
            "curve": curve, "sample": sample}


def summarize(values: list[float], seeds: list[int]) -> dict:
    ok = [v for v in values if v is not None and math.isfinite(v)]
    complete = len(ok) == len(values)
    mean = sum(ok) / len(ok) if complete else None
    std = math.sqrt(sum((v - mean) ** 2 for v in ok) / len(ok)) if complete else None
    return {"means": mean, "stds": std, "seeds": seeds, "values": values, "n_with_value": len(ok)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out_dir", required=True)
    parser.add_argument("--smoke", action="store_true", help="tiny run for tests (< 30 s)")
    parser.add_argument("--seeds", "--seed", type=int, nargs="+", default=None)
    parser.add_argument("--corpus", default=None, help="UTF-8 text file (default: built-in corpus)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    args = parser.parse_args()
    torch.set_num_threads(max(1, args.threads))
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = Path(args.corpus).read_text(encoding="utf-8") if args.corpus else default_corpus()
    if len(text) < 10 * CONTEXT:
        raise SystemExit(f"{args.corpus}: corpus too short ({len(text)} chars; need at least {10 * CONTEXT})")
    seeds = args.seeds or ([0] if args.smoke else [0, 1])
    steps = SMOKE_STEPS if args.smoke else FULL_STEPS
    start = time.time()
    runs = [run(text, s, steps) for s in seeds]
    final = {key: summarize([r[key] for r in runs], seeds) for key in ("val_bpc", "train_bpc", "unigram_val_bpc")}
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]  # the built-in corpus depends on the Python version
    msg = (f"corpus={args.corpus or 'builtin'} chars={len(text)} sha256={digest} "
           f"val_bpc={[round(r['val_bpc'], 4) for r in runs]}")
    print(msg, flush=True)
    (out / "log.txt").write_text(msg + "\n")
    (out / "all_results.json").write_text(json.dumps({str(s): r for s, r in zip(seeds, runs, strict=True)}))
    (out / "final_info.json").write_text(json.dumps(final, indent=2))
    print(f"done in {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
