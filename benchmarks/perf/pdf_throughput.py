"""PDF loader throughput: pages/second of `load_paper` vs plain pypdf `extract_text`, same run.

    python benchmarks/perf/pdf_throughput.py [--pdf-dir DIR] [--repeats N] [--sanitize]

Plain pypdf text extraction is the floor we cannot go below (our loader calls it once per page);
the ratio loader / pypdf in pages per second says how much the cleaning, page checks and the
injection detector cost on top. Both are timed in the same process, interleaved, best of N, in CPU time of this process
(time.process_time: stable on a shared machine; the work is single-threaded CPU, so on an idle
machine it equals wall time).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DIR = Path(os.environ.get("AISCI_SHARED_DATA", REPO.parent / "shared" / "data")) / "example_papers"


def plain_pypdf(path: Path) -> int:
    from pypdf import PdfReader

    reader = PdfReader(path)
    texts = [page.extract_text() for page in reader.pages]
    return len(texts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pdf-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sanitize", action="store_true", help="also run the sanitizer in load_paper")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from reviewer.paper import load_paper

    pdfs = sorted(args.pdf_dir.glob("*.pdf"))
    if not pdfs:
        print(f"{args.pdf_dir}: no PDFs found (set AISCI_SHARED_DATA or pass --pdf-dir)", file=sys.stderr)
        return 2
    best_plain = best_loader = float("inf")
    pages = 0
    for r in range(args.repeats):
        t_plain = t_loader = 0.0
        pages = 0
        for pdf in pdfs:
            # Alternate which goes first so OS caches and CPU frequency do not favour one side.
            order = (0, 1) if r % 2 == 0 else (1, 0)
            for which in order:
                t0 = time.process_time()
                if which == 0:
                    pages += plain_pypdf(pdf)
                    t_plain += time.process_time() - t0
                else:
                    load_paper(pdf, sanitize=args.sanitize)
                    t_loader += time.process_time() - t0
        best_plain, best_loader = min(best_plain, t_plain), min(best_loader, t_loader)
    pps_plain, pps_loader = pages / best_plain, pages / best_loader
    print(f"{len(pdfs)} PDFs, {pages} pages, best of {args.repeats} runs (CPU seconds)")
    print(f"plain pypdf extract_text : {pps_plain:8.1f} pages/s ({best_plain:.2f} s)")
    print(f"load_paper{' +sanitize' if args.sanitize else ''}{'' if args.sanitize else '          '}: "
          f"{pps_loader:8.1f} pages/s ({best_loader:.2f} s)")
    print(f"ratio load_paper / pypdf (pages/s): {pps_loader / pps_plain:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
