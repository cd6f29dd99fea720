"""Commands of the `reviewer` package (see reviewer/aisci.py for the contract)."""

COMMANDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("review",): ("reviewer.commands.review", "Review a paper (PDF/TXT/MD) with the NeurIPS form"),
    ("models",): ("reviewer.commands.models", "List providers, known models with prices, and API keys present"),
    ("serve-local",): ("reviewer.commands.serve_local", "Run the embedded llama.cpp server in the foreground"),
}
