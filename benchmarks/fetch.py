"""Download a public dataset described by a manifest (data/<name>_manifest.json), checking sha256.

A manifest lists files as `url_path` (relative to `base_url`), `dest_path` (relative to the dataset dir),
`sha256` and `size`. Files already present with the right hash are skipped; an interrupted download
continues from its `.part` file (HTTP Range) on the next run; a file whose hash does not match is not
kept (the `.part` is removed so the next run starts it afresh) and the command fails naming it.

`select_rows: "papers"` on a TSV entry: the upstream file may hold more rows than the manifest's
dataset; when its hash does not match as downloaded, only the header and the rows whose first field is
a paper of the manifest (its `papers/<id>.*` entries) are kept, and the hash is checked on that.
(The iclr2022 manifest describes the 388-paper development set: upstream ratings_subset.tsv has 500.)
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

MANIFEST_DIR = Path(__file__).resolve().parents[1] / "data"
CHUNK = 1 << 16


class FetchError(RuntimeError):
    """A download that failed or did not verify; the message names the file and the cause."""


@dataclass
class FetchResult:
    dest: Path
    downloaded: list[str]
    skipped: list[str]
    failed: dict[str, str]


def manifest_path(name: str) -> Path:
    p = MANIFEST_DIR / f"{name}_manifest.json"
    if not p.is_file():
        known = sorted(x.name.removesuffix("_manifest.json") for x in MANIFEST_DIR.glob("*_manifest.json"))
        raise FetchError(f"no manifest for dataset {name!r} (known: {', '.join(known) or 'none'})")
    return p


def load_manifest(name_or_path: str | Path) -> dict:
    p = Path(name_or_path)
    if not p.is_file():
        p = manifest_path(str(name_or_path))
    return json.loads(p.read_text())


def default_dest(name: str) -> Path:
    env = os.environ.get("AISCI_CACHE_DIR")
    return (Path(env) if env else Path.home() / ".cache" / "aisci") / "data" / name


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _paper_ids(manifest: dict) -> set[str]:
    return {Path(e["dest_path"]).stem for e in manifest["files"] if e["dest_path"].startswith("papers/")}


def _select_rows(data: bytes, ids: set[str]) -> bytes:
    lines = data.decode("utf-8").splitlines(keepends=True)
    return "".join(lines[:1] + [ln for ln in lines[1:] if ln.split("\t", 1)[0] in ids]).encode("utf-8")


def _download(url: str, part: Path, timeout: float, progress=None) -> None:
    """Append the rest of url to part (Range from its current size); restart if the server ignores Range."""
    have = part.stat().st_size if part.exists() else 0
    req = urllib.request.Request(url, headers={"User-Agent": "aisci-data-fetch", **(
        {"Range": f"bytes={have}-"} if have else {})})
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:  # range past the end: the part is complete (or wrong; the hash decides)
            return
        raise
    with resp:
        mode = "ab" if have and resp.status == 206 else "wb"
        if mode == "wb" and progress is not None and have:
            progress(-have)
        with part.open(mode) as f:
            while block := resp.read(CHUNK):
                f.write(block)
                if progress is not None:
                    progress(len(block))


def fetch_file(entry: dict, base_url: str, dest: Path, ids: set[str], retries: int = 3,
               timeout: float = 60.0, progress=None) -> str:
    """Download one manifest entry; returns 'skipped' or 'downloaded'; raises FetchError."""
    target = dest / entry["dest_path"]
    if target.is_file() and sha256_file(target) == entry["sha256"]:
        if progress is not None:
            progress(entry.get("size", 0))
        return "skipped"
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    url = base_url.rstrip("/") + "/" + urllib.request.quote(entry["url_path"])
    last: Exception | None = None
    for attempt in range(retries):
        try:
            _download(url, part, timeout, progress)
            last = None
            break
        except urllib.error.HTTPError as e:
            last = e
            if e.code < 500 and e.code not in (408, 429):  # a 404 will not get better by retrying
                break
        except (urllib.error.URLError, OSError, TimeoutError) as e:  # keep the .part: next try resumes
            last = e
            time.sleep(min(2**attempt, 8) * 0.25)
    if last is not None:
        raise FetchError(f"{entry['dest_path']}: download failed from {url} ({last})")
    data = part.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"] and entry.get("select_rows") == "papers":
        data = _select_rows(data, ids)
        digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        part.unlink(missing_ok=True)
        raise FetchError(f"{entry['dest_path']}: sha256 mismatch (got {digest[:12]}, manifest {entry['sha256'][:12]});"
                         f" not kept — the source changed or the download was corrupted")
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)  # atomic: a dataset file is either complete and verified or absent
    part.unlink(missing_ok=True)
    return "downloaded"


def fetch(name_or_manifest: str | Path, dest: str | Path | None = None, base_url: str | None = None,
          workers: int = 8, show_progress: bool = True, timeout: float = 60.0) -> FetchResult:
    manifest = load_manifest(name_or_manifest)
    dest = Path(dest).expanduser() if dest else default_dest(manifest["name"])
    dest.mkdir(parents=True, exist_ok=True)
    base = base_url or manifest["base_url"]
    ids = _paper_ids(manifest)
    from tqdm import tqdm

    total = sum(e.get("size", 0) for e in manifest["files"])
    result = FetchResult(dest=dest, downloaded=[], skipped=[], failed={})
    with tqdm(total=total, unit="B", unit_scale=True, desc=f"fetch {manifest['name']}",
              disable=not show_progress) as bar, ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(fetch_file, e, base, dest, ids, timeout=timeout, progress=bar.update): e
                   for e in manifest["files"]}
        for fut in as_completed(futures):
            path = futures[fut]["dest_path"]
            try:
                (result.downloaded if fut.result() == "downloaded" else result.skipped).append(path)
            except FetchError as e:
                result.failed[path] = str(e)
            except Exception as e:  # one broken file never stops the others; reported at the end
                result.failed[path] = f"{path}: {type(e).__name__}: {e}"
    return result


def build_manifest(staged: Path, name: str, base_url: str, mapping: list[tuple[str, str]], **meta) -> dict:
    """Maintainers: hash a staged copy. mapping: (dest glob under staged, url_path template with {name})."""
    files = []
    for pattern, url_template in mapping:
        for p in sorted(staged.glob(pattern)):
            rel = p.relative_to(staged).as_posix()
            entry = {"url_path": url_template.format(name=p.name), "dest_path": rel,
                     "sha256": sha256_file(p), "size": p.stat().st_size}
            if rel.endswith(".tsv"):
                entry["select_rows"] = "papers"
            files.append(entry)
    return {"name": name, **meta, "base_url": base_url, "files": files}
