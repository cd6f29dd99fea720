"""A small synthetic dataset dir written by the tests themselves (no real data needed)."""

from __future__ import annotations

import random
from pathlib import Path


def make_dataset(root: Path, n: int = 30, seed: int = 0, bad: dict[str, bytes] | None = None) -> Path:
    """ratings.tsv + papers/<id>.txt. `bad` maps extra paper ids to raw bytes written as <id>.pdf."""
    rng = random.Random(seed)
    papers = root / "papers"
    papers.mkdir(parents=True, exist_ok=True)
    lines = ["paper_id\t0\t1\t2\t3\t4\t5\t6\tdecision"]
    ids = [f"p{i:03d}" for i in range(n)] + list(bad or {})
    for pid in ids:
        ratings = [rng.choice([1, 3, 5, 6, 8, 10]) for _ in range(rng.randint(3, 4))]
        decision = "Accept (Poster)" if sum(ratings) / len(ratings) >= 6 else "Reject"
        cells = [f"{r:.1f}" for r in ratings] + [""] * (7 - len(ratings))
        lines.append("\t".join([pid, *cells, decision]))
        if bad and pid in bad:
            (papers / f"{pid}.pdf").write_bytes(bad[pid])
        else:
            (papers / f"{pid}.txt").write_text(
                f"# Paper {pid}: a study of things\n\n## Abstract\nWe study topic {pid} carefully.\n\n"
                f"## 1 Introduction\nMotivation {rng.random():.6f}.\n\n## 5 Conclusion\nIt works.\n")
    (root / "ratings.tsv").write_text("\n".join(lines) + "\n")
    return root
