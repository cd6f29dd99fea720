"""Commands of the `scientist` package (see reviewer/aisci.py for the contract)."""

COMMANDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("scientist", "run"): ("scientist.commands.run", "Ideas -> novelty -> experiments -> paper, improved by the calibrated reviewer"),
}
