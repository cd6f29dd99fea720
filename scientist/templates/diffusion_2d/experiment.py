"""A small DDPM (denoising diffusion) learns 2-D point clouds: sklearn shapes or the Datasaurus Dozen.

Usage: python experiment.py --out_dir DIR [--smoke] [--seeds 0 1] [--datasets moons circles]
                            [--data PATH/TO/DatasaurusDozen.tsv]  (adds its 'dino' set; read, not copied)
Writes DIR/final_info.json ({metric: {"means", "stds", "seeds", "values"}}), DIR/all_results.json
(samples and loss curves for plot.py) and DIR/log.txt. Self-contained: copied into a sandbox.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

# AISCI-EDITABLE: learning rate
LEARNING_RATE = 1e-3
TIMESTEPS = 100
HIDDEN, LAYERS = 128, 3
BATCH_SIZE = 256
N_POINTS = 4000
FULL_STEPS, SMOKE_STEPS = 3000, 200
N_SAMPLES, N_EVAL = 1000, 1000


def load_points(name: str, seed: int, data_file: str | None) -> np.ndarray:
    """Standardised 2-D points of one dataset."""
    from sklearn import datasets

    if name == "moons":
        x = datasets.make_moons(N_POINTS, noise=0.05, random_state=seed)[0]
    elif name == "circles":
        x = datasets.make_circles(N_POINTS, noise=0.03, factor=0.5, random_state=seed)[0]
    elif name == "blobs":
        x = datasets.make_blobs(N_POINTS, centers=4, cluster_std=0.5, random_state=seed)[0]
    else:  # a Datasaurus Dozen set, e.g. 'dino', from the user's file (tab-separated dataset/x/y)
        if not data_file:
            raise SystemExit(f"dataset {name!r} needs --data PATH/TO/DatasaurusDozen.tsv")
        with open(data_file) as f:
            rows = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(f, delimiter="\t") if r["dataset"] == name]
        if not rows:
            raise SystemExit(f"{data_file}: no rows for dataset {name!r}")
        base = np.array(rows)
        rng = np.random.default_rng(seed)  # resample with small jitter to get N_POINTS
        x = base[rng.integers(0, len(base), N_POINTS)] + rng.normal(0, 0.5, (N_POINTS, 2))
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32)


class Denoiser(nn.Module):
    """MLP predicting the noise from x_t (with Fourier features, so a small MLP can draw thin shapes)
    and a sinusoidal embedding of t (rescaled to the 0..1000 range the embedding is made for)."""

    def __init__(self, hidden: int, layers: int, t_dim: int = 32, x_freqs: int = 16, max_freq: float = 25.0) -> None:
        super().__init__()
        self.t_dim = t_dim
        self.register_buffer("x_freqs", torch.exp(torch.linspace(0, math.log(max_freq), x_freqs)))
        dims = [2 + 4 * x_freqs + t_dim] + [hidden] * layers
        body = []
        for a, b in zip(dims[:-1], dims[1:], strict=True):
            body += [nn.Linear(a, b), nn.SiLU()]
        self.net = nn.Sequential(*body, nn.Linear(hidden, 2))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        freqs = torch.exp(-math.log(1000.0) * torch.arange(self.t_dim // 2) / (self.t_dim // 2))
        ang = (t[:, None].float() * (1000 / TIMESTEPS)) * freqs[None]
        xa = (x[:, :, None] * self.x_freqs[None, None]).flatten(1)
        return self.net(torch.cat([x, torch.sin(xa), torch.cos(xa), torch.sin(ang), torch.cos(ang)], 1))


def schedule(T: int) -> dict[str, torch.Tensor]:
    betas = torch.linspace(1e-4, 0.02, T) * (1000 / T)  # same total noise as the 1000-step DDPM
    alphas = 1 - betas
    return {"betas": betas, "alphas": alphas, "abar": torch.cumprod(alphas, 0)}


def diffusion_loss(model: nn.Module, x0: torch.Tensor, sch: dict) -> torch.Tensor:
    t = torch.randint(0, TIMESTEPS, (len(x0),))
    noise = torch.randn_like(x0)
    abar = sch["abar"][t][:, None]
    xt = abar.sqrt() * x0 + (1 - abar).sqrt() * noise
    return nn.functional.mse_loss(model(xt, t), noise)


@torch.no_grad()
def sample(model: nn.Module, n: int, sch: dict) -> torch.Tensor:
    x = torch.randn(n, 2)
    for t in reversed(range(TIMESTEPS)):
        tt = torch.full((n,), t)
        eps = model(x, tt)
        a, ab, b = sch["alphas"][t], sch["abar"][t], sch["betas"][t]
        x = (x - b / (1 - ab).sqrt() * eps) / a.sqrt()
        if t > 0:
            x = x + b.sqrt() * torch.randn_like(x)
    return x


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, n_proj: int = 200, seed: int = 0) -> float:
    """Mean 1-D Wasserstein-1 distance over random directions (equal sample sizes)."""
    g = torch.Generator().manual_seed(seed)
    dirs = torch.randn(n_proj, 2, generator=g)
    dirs = dirs / dirs.norm(dim=1, keepdim=True)
    pa, pb = (a @ dirs.T).sort(0).values, (b @ dirs.T).sort(0).values
    return (pa - pb).abs().mean().item()


def kl_histogram(a: np.ndarray, b: np.ndarray, bins: int = 20, lim: float = 3.0) -> float:
    """KL(data || samples) between smoothed 2-D histograms on [-lim, lim]^2."""
    edges = np.linspace(-lim, lim, bins + 1)
    p = np.histogram2d(a[:, 0], a[:, 1], [edges, edges])[0] + 1e-3
    q = np.histogram2d(b[:, 0], b[:, 1], [edges, edges])[0] + 1e-3
    p, q = p / p.sum(), q / q.sum()
    return float((p * np.log(p / q)).sum())


def run(name: str, seed: int, steps: int, data_file: str | None) -> dict:
    torch.manual_seed(seed)
    points = torch.from_numpy(load_points(name, seed, data_file))
    held_out = torch.from_numpy(load_points(name, seed + 1000, data_file))[:N_EVAL]
    model, sch = Denoiser(HIDDEN, LAYERS), schedule(TIMESTEPS)
    opt = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE)
    lr_sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    losses = []
    for _ in range(steps):
        batch = points[torch.randint(0, len(points), (BATCH_SIZE,))]
        loss = diffusion_loss(model, batch, sch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        lr_sched.step()
        losses.append(loss.item())
    model.eval()
    torch.manual_seed(seed + 1)
    with torch.no_grad():
        eval_loss = float(np.mean([diffusion_loss(model, held_out, sch).item() for _ in range(10)]))
    samples = sample(model, N_SAMPLES, sch)
    return {"eval_loss": eval_loss, "sliced_wasserstein": sliced_wasserstein(held_out[:N_SAMPLES], samples, seed=seed),
            "kl_hist": kl_histogram(held_out.numpy(), samples.numpy()),
            "train_loss": losses[:: max(1, steps // 200)], "samples": samples[:500].tolist(),
            "data": held_out[:500].tolist()}


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
    parser.add_argument("--datasets", nargs="+", default=None, help="moons circles blobs, or a Datasaurus name")
    parser.add_argument("--data", default=None, help="DatasaurusDozen.tsv (adds 'dino' to the default sets)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "1")))
    args = parser.parse_args()
    torch.set_num_threads(max(1, args.threads))
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seeds = args.seeds or ([0] if args.smoke else [0, 1])
    names = args.datasets or (["moons"] if args.smoke else ["moons", "circles"] + (["dino"] if args.data else []))
    steps = SMOKE_STEPS if args.smoke else FULL_STEPS
    start, final, results = time.time(), {}, {}
    with open(out / "log.txt", "w") as log:
        for name in names:
            runs = [run(name, s, steps, args.data) for s in seeds]
            results[name] = {str(s): r for s, r in zip(seeds, runs, strict=True)}
            for key in ("eval_loss", "sliced_wasserstein", "kl_hist"):
                final[f"{name}/{key}"] = summarize([r[key] for r in runs], seeds)
            msg = f"{name}: eval_loss={[round(r['eval_loss'], 4) for r in runs]} swd={[round(r['sliced_wasserstein'], 4) for r in runs]}"
            print(msg, flush=True)
            log.write(msg + "\n")
    (out / "all_results.json").write_text(json.dumps(results))
    (out / "final_info.json").write_text(json.dumps(final, indent=2))
    print(f"done in {time.time() - start:.1f}s")


if __name__ == "__main__":
    main()
