"""`aisci data fetch`: download a public dataset into the cache with sha256 checks (resumable)."""

from __future__ import annotations

import argparse
import sys

EXAMPLES = """
  aisci data fetch iclr2022                       # into ~/.cache/aisci/data/iclr2022 ($AISCI_CACHE_DIR/data/...)
  aisci data fetch iclr2022 --dest data_cache/iclr2022
  aisci bench score --dataset ~/.cache/aisci/data/iclr2022 --reviews runs/gpt4o
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="dataset name (a manifest in data/<name>_manifest.json), e.g. iclr2022")
    parser.add_argument("--dest", help="target dataset dir (default: $AISCI_CACHE_DIR or ~/.cache/aisci, /data/NAME)")
    parser.add_argument("--base-url", help="download from this mirror instead of the manifest's base_url")
    parser.add_argument("--workers", type=int, default=8, help="parallel downloads (8)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    from benchmarks.fetch import FetchError, fetch

    try:
        res = fetch(args.name, dest=args.dest, base_url=args.base_url, workers=args.workers,
                    show_progress=not args.quiet)
    except (FetchError, OSError, ValueError) as e:
        print(f"aisci data fetch: {e}", file=sys.stderr)
        return 2
    for msg in sorted(res.failed.values()):
        print(f"aisci data fetch: {msg}", file=sys.stderr)
    print(f"{res.dest}: {len(res.downloaded)} downloaded, {len(res.skipped)} already present and verified, "
          f"{len(res.failed)} failed")
    if res.failed:
        print("re-run the same command to retry the failed files (finished files are kept)", file=sys.stderr)
        return 1
    print(f"use it with: --dataset {res.dest}   (or export AISCI_DATA_DIR={res.dest})")
    return 0
