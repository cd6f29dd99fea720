"""`aisci serve-local`: run the embedded llama.cpp server in the foreground for other tools."""

from __future__ import annotations

import argparse
import sys

EXAMPLES = """
  aisci serve-local                                   # default model on http://127.0.0.1:8080/v1
  aisci serve-local --model gemma3-270m --port 8081 --ctx 8192
  aisci serve-local --model ~/models/qwen2.5-1.5b-instruct-q4_k_m.gguf --threads 4
  # then, from another shell or tool (Ctrl-C here stops the server):
  aisci review paper.pdf --model openai/smollm2-135m --base-url http://127.0.0.1:8080/v1
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default=None,
                        help="known local model name (smollm2-135m, gemma3-270m) or a .gguf path "
                        "(default: AISCI_LOCAL_MODEL, else smollm2-135m)")
    parser.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0 = any free port; default 8080)")
    parser.add_argument("--ctx", type=int, default=None, help="context length in tokens (default 8192)")
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default 2)")
    parser.add_argument("--parallel", type=int, default=1, help="requests served at once (default 1)")
    parser.add_argument("--startup-timeout", type=float, default=180.0, help="seconds to wait for the model to load")


def main(args: argparse.Namespace) -> int:
    from reviewer.llm import local_server
    from reviewer.llm.errors import LLMError
    from reviewer.llm.providers.local import DEFAULT_LOCAL_MODEL, LocalProvider

    provider = LocalProvider(args.model or DEFAULT_LOCAL_MODEL, ctx=args.ctx, threads=args.threads,
                             parallel=args.parallel)
    spec = local_server.ServerSpec(**{**provider.spec.__dict__, "port": args.port})
    # Server log goes to this terminal; the child still dies with us (own process group + stdin watch).
    server = local_server.LocalServer(spec, startup_timeout_s=args.startup_timeout, inherit_stderr=True)
    print(f"aisci serve-local: loading {provider.model_path} (ctx {spec.ctx}, {spec.threads} threads) ...",
          file=sys.stderr)
    try:
        url = server.wait_ready()
        served_name = provider.model_path.stem
        print(f"base URL: {url}/v1", flush=True)
        print(f"use it:   --model openai/{served_name} --base-url {url}/v1   (Ctrl-C stops the server)", flush=True)
        assert server.proc is not None
        code = server.proc.wait()
        print(f"aisci serve-local: server exited with code {code}", file=sys.stderr)
        return 1
    except LLMError as e:
        print(f"aisci serve-local: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("aisci serve-local: stopping", file=sys.stderr)
        return 0
    finally:
        server.stop()
