"""Commands of the `benchmarks` package (see reviewer/aisci.py for the contract)."""

COMMANDS: dict[tuple[str, ...], tuple[str, str]] = {
    ("bench", "run"): ("benchmarks.commands.run", "Review every paper of a dataset (resumable, concurrent)"),
    ("bench", "score"): ("benchmarks.commands.score", "Score a reviews CSV / run dir against human decisions"),
    ("bench", "audit-leakage"): ("benchmarks.commands.audit_leakage", "Probe how well paper text alone predicts acceptance"),
    ("data", "fetch"): ("benchmarks.commands.fetch", "Download a public dataset with sha256 checks"),
    ("leaderboard",): ("benchmarks.commands.leaderboard", "Compare reviewers: markdown table, figures, index.html"),
    ("calibrate", "fit"): ("benchmarks.commands.calibrate_fit", "Fit a calibrator on human data, save as JSON"),
    ("calibrate", "cv"): ("benchmarks.commands.calibrate_cv", "Nested cross-validation of calibration"),
}
