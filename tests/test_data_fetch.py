"""`aisci data fetch` against a real HTTP server on 127.0.0.1 that serves ../shared/data in the upstream
layout (url_path -> the staged file), with injectable corruption, extra upstream rows and Range support."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from benchmarks.datasets import load_dataset
from benchmarks.fetch import fetch, load_manifest, sha256_file
from reviewer.aisci import main as aisci

MANIFEST = Path(__file__).resolve().parents[1] / "data" / "iclr2022_manifest.json"


class Upstream:
    """Serves manifest url_paths from the staged dir; records requests; can alter bodies."""

    def __init__(self, staged: Path, manifest: dict):
        self.files = {e["url_path"]: staged / e["dest_path"] for e in manifest["files"]}
        self.override: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                path = unquote(self.path.lstrip("/"))
                upstream.requests.append((path, self.headers.get("Range")))
                if path in upstream.override:
                    body = upstream.override[path]
                elif path in upstream.files:
                    body = upstream.files[path].read_bytes()
                else:
                    self.send_error(404)
                    return
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    if start >= len(body):
                        self.send_error(416)
                        return
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                self.wfile.write(body[start:])

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def staged(shared_data) -> Path:
    return shared_data / "iclr2022"


def small_manifest(tmp_path: Path, n_papers: int = 4) -> tuple[Path, dict]:
    """The real manifest cut down to the ratings file, a few papers and one review file (fast tests)."""
    m = load_manifest(MANIFEST)
    papers = [e for e in m["files"] if e["dest_path"].startswith("papers/")][:n_papers]
    others = [e for e in m["files"] if not e["dest_path"].startswith("papers/")][:2]
    m = {**m, "files": others + papers}
    p = tmp_path / "small_manifest.json"
    p.write_text(json.dumps(m))
    return p, m


def test_full_fetch_matches_staged_data_and_second_run_downloads_nothing(staged, tmp_path):
    manifest = load_manifest(MANIFEST)
    server = Upstream(staged, manifest)
    try:
        res = fetch("iclr2022", dest=tmp_path / "iclr", base_url=server.url, show_progress=False)
        assert not res.failed and len(res.downloaded) == len(manifest["files"]) == 1 + 388 + 6
        ds = load_dataset(tmp_path / "iclr")
        assert len(ds) == 388 and ds.hash() == load_dataset(staged).hash()
        assert all(ds.paper_path(pid) is not None for pid in ds.paper_ids)
        n_before = len(server.requests)
        again = fetch("iclr2022", dest=tmp_path / "iclr", base_url=server.url, show_progress=False)
        assert len(again.skipped) == len(manifest["files"]) and not again.downloaded
        assert len(server.requests) == n_before  # verified local files: no request at all
    finally:
        server.close()


def test_corrupted_file_is_detected_not_kept_and_others_finish(staged, tmp_path):
    mpath, m = small_manifest(tmp_path)
    server = Upstream(staged, m)
    bad = m["files"][3]
    body = bytearray((staged / bad["dest_path"]).read_bytes())
    body[100] ^= 0x01  # one flipped bit
    server.override[bad["url_path"]] = bytes(body)
    dest = tmp_path / "d"
    try:
        res = fetch(mpath, dest=dest, base_url=server.url, show_progress=False)
        assert list(res.failed) == [bad["dest_path"]] and "sha256 mismatch" in res.failed[bad["dest_path"]]
        assert not (dest / bad["dest_path"]).exists()
        assert not (dest / (bad["dest_path"] + ".part")).exists()
        assert len(res.downloaded) == len(m["files"]) - 1
        # once the source is right again, a re-run fetches only the missing file
        del server.override[bad["url_path"]]
        server.requests.clear()
        res2 = fetch(mpath, dest=dest, base_url=server.url, show_progress=False)
        assert res2.downloaded == [bad["dest_path"]] and not res2.failed
        assert [r[0] for r in server.requests] == [bad["url_path"]]
    finally:
        server.close()


def test_cli_exit_code_on_corruption(staged, tmp_path, capsys):
    mpath, m = small_manifest(tmp_path, n_papers=1)
    server = Upstream(staged, m)
    server.override[m["files"][-1]["url_path"]] = b"not the paper"
    try:
        rc = aisci(["data", "fetch", str(mpath), "--dest", str(tmp_path / "c"), "--base-url", server.url, "--quiet"])
    finally:
        server.close()
    assert rc == 1
    assert "sha256 mismatch" in capsys.readouterr().err


def test_interrupted_download_resumes_with_range(staged, tmp_path):
    mpath, m = small_manifest(tmp_path, n_papers=1)
    server = Upstream(staged, m)
    entry = m["files"][-1]
    full = (staged / entry["dest_path"]).read_bytes()
    dest = tmp_path / "r"
    part = dest / (entry["dest_path"] + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(full[:5000])  # what an interrupted run left behind
    try:
        res = fetch(mpath, dest=dest, base_url=server.url, show_progress=False)
    finally:
        server.close()
    assert not res.failed
    assert (entry["url_path"], "bytes=5000-") in server.requests
    assert sha256_file(dest / entry["dest_path"]) == entry["sha256"] and not part.exists()


def test_upstream_ratings_with_more_rows_are_cut_to_the_manifest_papers(staged, tmp_path):
    m = load_manifest(MANIFEST)  # the paper entries tell which rows belong to the dataset
    rating = next(e for e in m["files"] if e["dest_path"] == "ratings.tsv")
    mpath = tmp_path / "m.json"
    mpath.write_text(json.dumps(m))
    lines = (staged / "ratings.tsv").read_text().splitlines(keepends=True)
    extra = ["heldOutPaperA\t6.0\t6.0\t\t\t\t\t\tReject\n", "heldOutPaperB\t8.0\t8.0\t8.0\t\t\t\t\tAccept (Oral)\n"]
    server = Upstream(staged, m)
    server.files = {}  # only the (overridden) ratings file is served; papers 404 quickly
    server.override[rating["url_path"]] = "".join(lines[:3] + extra[:1] + lines[3:] + extra[1:]).encode()
    try:
        res = fetch(mpath, dest=tmp_path / "x", base_url=server.url, show_progress=False)
    finally:
        server.close()
    assert "ratings.tsv" in res.downloaded
    assert len(res.failed) == len(m["files"]) - 1 and all("404" in v for v in res.failed.values())
    assert sha256_file(tmp_path / "x" / "ratings.tsv") == rating["sha256"]
    assert "heldOutPaper" not in (tmp_path / "x" / "ratings.tsv").read_text()
