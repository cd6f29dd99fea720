"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions and Anthropic messages
APIs, with configurable latency and injected faults. Tests and benchmarks point the real SDKs at it.

    with FakeServer(latency_s=0.2, faults=Faults(p500=0.2)) as srv:
        get_model("openai/gpt-4o-mini", base_url=srv.base_url)   # srv.anthropic_url for Anthropic

Run standalone (for scripts and crash tests): python -m reviewer.testing.fake_server --port 8765
`GET /stats` returns request counts and the peak number of requests in flight.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from reviewer.llm.providers.mock_answers import instance_of

Responder = Callable[[dict[str, Any]], str]


@dataclass
class Faults:
    """Per-request fault probabilities (seeded), and/or a fixed sequence used first.

    Fault names: "500", "429" (with Retry-After), "hang" (no answer for hang_s), "malformed"
    (200 with a broken JSON body), "truncated" (Content-Length larger than the body), "ok".
    """

    p500: float = 0.0
    p429: float = 0.0
    phang: float = 0.0
    pmalformed: float = 0.0
    ptruncated: float = 0.0
    sequence: list[str] = field(default_factory=list)
    retry_after_s: float = 1.0
    hang_s: float = 30.0
    seed: int = 0


def default_responder(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema")
    if schema is None and body.get("tools"):
        schema = body["tools"][0].get("input_schema")
    return json.dumps(instance_of(schema)) if schema else "OK"


def varying_responder(body: dict[str, Any]) -> str:
    """Like default_responder, but string fields carry a digest of the request, so different papers get
    different answers (and follow-up requests built from them, e.g. meta-reviews, are not cache hits)."""
    text = default_responder(body)
    digest = hashlib.sha1(json.dumps(body.get("messages", []), sort_keys=True).encode()).hexdigest()[:12]
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        return f"{text} [{digest}]"
    if isinstance(obj, dict):
        obj = {k: f"{v} [{digest}]" if isinstance(v, str) else v for k, v in obj.items()}
    return json.dumps(obj)


class FakeServer:
    def __init__(self, *, latency_s: float = 0.0, faults: Faults | None = None,
                 responder: Responder = default_responder, port: int = 0):
        self.latency_s = latency_s
        self.faults = faults or Faults()
        self.responder = responder
        self.requests: list[dict[str, Any]] = []  # bodies of every request received
        self.fault_log: list[str] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._rng = random.Random(self.faults.seed)
        self._sequence = list(self.faults.sequence)
        self._httpd = _QuietHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.anthropic_url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def n_requests(self) -> int:
        return len(self.requests)

    def start(self) -> FakeServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {"requests": len(self.requests), "peak_in_flight": self.peak_in_flight,
                    "in_flight": self.in_flight, "faults": dict(_count(self.fault_log))}

    def next_fault(self) -> str:
        with self._lock:
            if self._sequence:
                fault = self._sequence.pop(0)
            else:
                f, r = self.faults, self._rng.random()
                fault = "ok"
                for name, p in (("500", f.p500), ("429", f.p429), ("hang", f.phang),
                                ("malformed", f.pmalformed), ("truncated", f.ptruncated)):
                    if r < p:
                        fault = name
                        break
                    r -= p
            self.fault_log.append(fault)
            return fault


class _QuietHTTPServer(ThreadingHTTPServer):
    # The listen() backlog is taken from the class when the socket is bound: setting it on the instance
    # afterwards has no effect, and the default (5) drops connections when 64 clients connect at once.
    request_queue_size = 1024
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and closed its connection is an expected event here, not an error.
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError | TimeoutError):
            return
        super().handle_error(request, client_address)


def _count(items: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


def _openai_body(body: dict[str, Any], text: str) -> dict[str, Any]:
    n = int(body.get("n") or 1)
    prompt_tokens = sum(len(str(m.get("content", ""))) for m in body.get("messages", [])) // 4 + 1
    return {
        "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": i, "message": {"role": "assistant", "content": text}, "finish_reason": "stop",
                     "logprobs": None} for i in range(n)],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(text) // 4 + 1,
                  "total_tokens": prompt_tokens + len(text) // 4 + 1},
    }


def _anthropic_body(body: dict[str, Any], text: str) -> dict[str, Any]:
    if body.get("tools"):
        content = [{"type": "tool_use", "id": "toolu_fake", "name": body["tools"][0]["name"],
                    "input": json.loads(text)}]
    else:
        content = [{"type": "text", "text": text}]
    cached = any(
        isinstance(b, dict) and "cache_control" in b
        for m in body.get("messages", []) for b in (m.get("content") if isinstance(m.get("content"), list) else [])
    )
    prompt = len(json.dumps(body.get("messages", []))) // 4 + 1
    return {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": body.get("model", "fake"),
        "content": content, "stop_reason": "tool_use" if body.get("tools") else "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 1 if cached else prompt, "output_tokens": len(text) // 4 + 1,
                  "cache_read_input_tokens": prompt if cached else 0, "cache_creation_input_tokens": 0},
    }


def _handler_for(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # One send per response, sent at once. With http.server's defaults (unbuffered writes, Nagle's
        # algorithm on) the headers and the body went out as two small segments and the body waited
        # for the client's delayed ACK: ~40 ms added to every answer on top of the configured latency.
        wbufsize = 64 * 1024  # flushed by handle_one_request after each request
        disable_nagle_algorithm = True

        def log_message(self, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None,
                  length: int | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload) if length is None else length))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("stats"):
                self._send(200, json.dumps(server.stats()).encode())
            elif self.path.rstrip("/").endswith("models"):
                self._send(200, json.dumps({"object": "list", "data": [{"id": "fake", "object": "model"}]}).encode())
            else:
                self._send(404, b'{"error": {"message": "not found"}}')

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path.split("?")[0] not in ("/v1/chat/completions", "/v1/messages"):
                self._send(404, b'{"error": {"message": "unknown endpoint"}}')
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send(400, b'{"error": {"message": "invalid JSON"}}')
                return
            with server._lock:
                server.requests.append(body)
                server.in_flight += 1
                server.peak_in_flight = max(server.peak_in_flight, server.in_flight)
            try:
                self._answer(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (time-out): nothing to do
            finally:
                with server._lock:
                    server.in_flight -= 1

        def _answer(self, body: dict[str, Any]) -> None:
            fault = server.next_fault()
            if server.latency_s:
                time.sleep(server.latency_s)
            if fault == "500":
                self._send(500, b'{"error": {"message": "injected server error", "type": "server_error"}}')
            elif fault == "429":
                self._send(429, b'{"error": {"message": "injected rate limit", "type": "rate_limit"}}',
                           {"Retry-After": f"{server.faults.retry_after_s:g}"})
            elif fault == "hang":
                time.sleep(server.faults.hang_s)
                self.close_connection = True
            else:
                text = server.responder(body)
                anthropic = self.path.startswith("/v1/messages")
                payload = json.dumps(_anthropic_body(body, text) if anthropic else _openai_body(body, text)).encode()
                if fault == "malformed":
                    self._send(200, payload[: len(payload) // 2])
                elif fault == "truncated":
                    self._send(200, payload[: len(payload) // 2], length=len(payload))
                    self.close_connection = True
                else:
                    self._send(200, payload)

    return Handler


def main() -> None:
    ap = argparse.ArgumentParser(description="Fake OpenAI/Anthropic-compatible server for tests and benchmarks")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    for name in ("p500", "p429", "phang", "pmalformed", "ptruncated"):
        ap.add_argument(f"--{name}", type=float, default=0.0)
    ap.add_argument("--hang-s", type=float, default=30.0)
    ap.add_argument("--retry-after", type=float, default=1.0, help="Retry-After seconds sent with 429s")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--vary", action="store_true", help="answers carry a digest of the request (no two alike)")
    a = ap.parse_args()
    faults = Faults(p500=a.p500, p429=a.p429, phang=a.phang, pmalformed=a.pmalformed, ptruncated=a.ptruncated,
                    hang_s=a.hang_s, retry_after_s=a.retry_after, seed=a.seed)
    srv = FakeServer(latency_s=a.latency, faults=faults, port=a.port,
                     responder=varying_responder if a.vary else default_responder)
    print(f"fake server on {srv.base_url}", flush=True)
    try:
        srv._httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
