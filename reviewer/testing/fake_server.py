"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions and Anthropic messages
APIs, with configurable latency and injected faults. Tests and benchmarks point the real SDKs at it.

    with FakeServer(latency_s=0.2, faults=Faults(p500=0.2)) as srv:
        get_model("openai/gpt-4o-mini", base_url=srv.base_url)   # srv.anthropic_url for Anthropic

Run standalone (for scripts and crash tests): python -m reviewer.testing.fake_server --port 8765
`GET /stats` returns request counts and the peak number of requests in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
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
    """The server runs on its own asyncio event loop (in a thread, or in the main thread standalone).

    One event loop rather than a thread per connection: with 64 connections in flight, threads taking
    turns on the GIL delayed answers by up to 40 ms beyond the configured latency, which a benchmark of
    the client then wrongly charged to the client.
    """

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
        # Bound here (not when the loop starts) so that the port, and the URLs, are known at once.
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(1024)  # 64+ clients connect at once; a small backlog drops connections
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self.anthropic_url = f"http://127.0.0.1:{self.port}"
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def n_requests(self) -> int:
        return len(self.requests)

    def start(self) -> FakeServer:
        ready = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake server did not start within 10 s")
        return self

    def serve_forever(self, ready: threading.Event | None = None) -> None:
        asyncio.run(self._serve(ready))

    async def _serve(self, ready: threading.Event | None) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        server = await asyncio.start_server(self._connection, sock=self._sock)
        if ready is not None:
            ready.set()
        async with server:
            await self._stopped.wait()

    def stop(self) -> None:
        loop, stopped = self._loop, self._stopped
        if loop is not None and stopped is not None:
            try:
                loop.call_soon_threadsafe(stopped.set)
            except RuntimeError:  # the loop has already closed
                pass
        if self._thread is not None:
            self._thread.join(10)
        self._sock.close()

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

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One keep-alive HTTP/1.1 connection; request bodies come with a Content-Length (as the SDKs send)."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrived = asyncio.get_running_loop().time()
                lines = head.decode("latin-1").split("\r\n")
                method, target = (lines[0].split(" ") + ["", ""])[:2]
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
                raw = await reader.readexactly(int(headers.get("content-length") or 0))
                reply = await self._handle(method, target, raw, arrived)
                if reply is None:  # the "hang" fault: drop the connection without an answer
                    return
                writer.write(reply.encode())
                await writer.drain()
                if reply.close or headers.get("connection", "").lower() == "close":
                    return
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            return  # the client closed the connection or gave up (time-out): nothing to do
        finally:
            writer.close()

    async def _handle(self, method: str, target: str, raw: bytes, arrived: float) -> _Reply | None:
        path = target.split("?")[0].rstrip("/")
        if method == "GET":
            if path.endswith("stats"):
                return _Reply(200, json.dumps(self.stats()).encode())
            if path.endswith("models"):
                return _Reply(200, json.dumps({"object": "list", "data": [{"id": "fake", "object": "model"}]}).encode())
            return _Reply(404, b'{"error": {"message": "not found"}}')
        if path not in ("/v1/chat/completions", "/v1/messages"):
            return _Reply(404, b'{"error": {"message": "unknown endpoint"}}')
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            return _Reply(400, b'{"error": {"message": "invalid JSON"}}')
        with self._lock:
            self.requests.append(body)
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._answer(body, arrived, anthropic=path == "/v1/messages")
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _answer(self, body: dict[str, Any], arrived: float, *, anthropic: bool) -> _Reply | None:
        """The answer leaves latency_s after the request arrived: the time spent building it is taken out
        of the wait, so the configured latency is the latency (a benchmark charges nothing of ours to
        the client)."""
        fault = self.next_fault()
        reply: _Reply | None
        if fault == "500":
            reply = _Reply(500, b'{"error": {"message": "injected server error", "type": "server_error"}}')
        elif fault == "429":
            reply = _Reply(429, b'{"error": {"message": "injected rate limit", "type": "rate_limit"}}',
                           {"Retry-After": f"{self.faults.retry_after_s:g}"})
        elif fault == "hang":
            reply = None
        else:
            text = self.responder(body)
            payload = json.dumps(_anthropic_body(body, text) if anthropic else _openai_body(body, text)).encode()
            if fault == "malformed":
                reply = _Reply(200, payload[: len(payload) // 2])
            elif fault == "truncated":
                reply = _Reply(200, payload[: len(payload) // 2], length=len(payload), close=True)
            else:
                reply = _Reply(200, payload)
        wait = arrived + self.latency_s - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)
        if fault == "hang":
            await asyncio.sleep(self.faults.hang_s)
        return reply


@dataclass
class _Reply:
    status: int
    payload: bytes
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None  # a Content-Length that differs from the payload's (the "truncated" fault)
    close: bool = False

    def encode(self) -> bytes:
        """Status line, headers and body in one buffer, sent in one write: no delayed-ACK stall."""
        head = [f"HTTP/1.1 {self.status} {HTTPStatus(self.status).phrase}", "Content-Type: application/json",
                f"Content-Length: {len(self.payload) if self.length is None else self.length}"]
        head += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.close:
            head.append("Connection: close")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + self.payload


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
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
