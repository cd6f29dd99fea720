"""The AI Scientist loop with the calibrated reviewer as fitness (see docs/scientist.md).

    from scientist import LoopConfig, run_loop
    summary = asyncio.run(run_loop(LoopConfig(template="grokking", model="mock/default", out=Path("out"), smoke=True)))

Names are imported lazily so `aisci --help` (which imports scientist.cli) stays fast.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Idea": "ideas", "generate_ideas": "ideas",
    "Hit": "litsearch", "make_searcher": "litsearch",
    "LoopConfig": "loop", "run_loop": "loop",
    "NoveltyResult": "novelty", "check_novelty": "novelty",
    "PaperResult": "writeup", "write_paper": "writeup",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module 'scientist' has no attribute {name!r}")
