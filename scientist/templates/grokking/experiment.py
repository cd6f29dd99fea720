"""Grokking: a small transformer learns modular arithmetic (a op b mod p) from half of the table.

Usage: python experiment.py --out_dir DIR [--smoke] [--seeds 0 1] [--operations x_plus_y x_div_y]
Writes DIR/final_info.json ({metric: {"means", "stds", "seeds", "values"}}), DIR/all_results.json
(per-operation, per-seed curves for plot.py) and DIR/log.txt.
Self-contained on purpose: this file is copied into a sandbox and edited by a model.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import torch
from torch import nn

# AISCI-EDITABLE: learning rate
LEARNING_RATE = 3e-3
WEIGHT_DECAY = 1.0
PRIME = 59
TRAIN_FRACTION = 0.5
DIM, LAYERS, HEADS = 64, 1, 4
BATCH_SIZE = 128
FULL_STEPS, SMOKE_STEPS = 4000, 150
WARMUP_STEPS = 50
EVAL_EVERY = 50
STOP_AFTER_EVALS = 4  # stop once val acc has been >= 99% for this many evaluations in a row (saves CPU)


def make_data(operation: str, p: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """All pairs (a, b) with their answer, split into train/val by a seeded permutation."""
    rows = []
    for a in range(p):
        for b in range(p):
            if operation == "x_plus_y":
                c = (a + b) % p
            elif operation == "x_minus_y":
                c = (a - b) % p
            elif operation == "x_div_y":
                if b == 0:
                    continue
                c = (a * pow(b, p - 2, p)) % p  # b^(p-2) is b's inverse mod a prime p
            else:
                raise ValueError(f"unknown operation {operation!r}")
            rows.append((a, b, c))
    data = torch.tensor(rows)
    op_token, eq_token = p, p + 1
    inputs = torch.stack(
        [data[:, 0], torch.full_like(data[:, 0], op_token), data[:, 1], torch.full_like(data[:, 0], eq_token)], 1
    )
    perm = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    n_train = int(TRAIN_FRACTION * len(data))
    tr, va = perm[:n_train], perm[n_train:]
    return inputs[tr], data[tr, 2], inputs[va], data[va, 2]


class Transformer(nn.Module):
    def __init__(self, vocab: int, dim: int, layers: int, heads: int, seq_len: int = 4) -> None:
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.randn(seq_len, dim) * 0.02)
        block = nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=0.0, batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(self.tok(x) + self.pos)
        return self.head(self.norm(h[:, -1]))  # predict the answer from the '=' position


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    logits = model(x)
    return (logits.argmax(-1) == y).float().mean().item(), nn.functional.cross_entropy(logits, y).item()


def run(operation: str, seed: int, steps: int) -> dict:
    torch.manual_seed(seed)
    xtr, ytr, xva, yva = make_data(operation, PRIME, seed)
    model = Transformer(PRIME + 2, DIM, LAYERS, HEADS)
    opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / WARMUP_STEPS))
    curve, step_99, streak = [], None, 0
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(xtr), (min(BATCH_SIZE, len(xtr)),))
        loss = nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if step % EVAL_EVERY == 0 or step == steps:
            model.eval()
            tr_acc, tr_loss = accuracy(model, xtr, ytr)
            va_acc, va_loss = accuracy(model, xva, yva)
            model.train()
            curve.append({"step": step, "train_acc": tr_acc, "val_acc": va_acc, "train_loss": tr_loss, "val_loss": va_loss})
            if step_99 is None and va_acc >= 0.99:
                step_99 = step
            streak = streak + 1 if va_acc >= 0.99 else 0
            if streak >= STOP_AFTER_EVALS:
                break
    last = curve[-1]
    return {"final_train_acc": last["train_acc"], "final_val_acc": last["val_acc"], "steps_run": last["step"],
            "final_val_loss": last["val_loss"], "step_val_acc_99": step_99, "curve": curve}


def summarize(values: list[float | None], seeds: list[int]) -> dict:
    """Mean/std over seeds; null (with how many seeds had a value) when any seed has none."""
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
    parser.add_argument("--operations", nargs="+", default=["x_plus_y", "x_div_y"])
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    args = parser.parse_args()
    torch.set_num_threads(max(1, args.threads))
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = args.seeds or ([0] if args.smoke else [0, 1])
    steps = SMOKE_STEPS if args.smoke else FULL_STEPS
    start, final, results = time.time(), {}, {}
    with open(out / "log.txt", "w") as log:
        for op in args.operations:
            runs = [run(op, s, steps) for s in seeds]
            results[op] = {str(s): r for s, r in zip(seeds, runs, strict=True)}
            for key in ("final_train_acc", "final_val_acc", "final_val_loss", "step_val_acc_99"):
                final[f"{op}/{key}"] = summarize([r[key] for r in runs], seeds)
            msg = f"{op}: val_acc={[round(r['final_val_acc'], 4) for r in runs]} step99={[r['step_val_acc_99'] for r in runs]}"
            print(msg, flush=True)
            log.write(msg + "\n")
    (out / "all_results.json").write_text(json.dumps(results))
    (out / "final_info.json").write_text(json.dumps(final, indent=2))
    print(f"done in {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
