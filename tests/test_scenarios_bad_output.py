"""Bad model output through the fake server's `responder` hook (the model's message text): wrong
types, out-of-range scores, missing fields, extra prose, empty string, refusal, ... -> each paper is
repaired or recorded with its reason, never a traceback, and the run exits 0."""

from __future__ import annotations

import pytest

from benchmarks.perf.reliability import bad_output_scenario, bad_outputs

# Answers a parser can fix without the model (it must not drop them): local repair.
LOCALLY_REPAIRABLE = {"wrong_types", "extra_prose", "python_literal"}
# Answers with nothing to repair: they must be recorded (a made-up review would be a lie).
UNUSABLE = {"empty", "refusal", "null", "missing_fields", "huge_prose"}


@pytest.mark.parametrize("ensemble", [1, 3])
def test_bad_model_output_is_repaired_or_recorded_never_a_traceback(tmp_path, ensemble):
    sc = bad_output_scenario(tmp_path, per_kind=1, ensemble=ensemble)
    stderr = sc.details["stderr"]
    assert sc.figures["exit code"] == 0 and "Traceback" not in stderr, stderr
    outcome, rows = sc.details["outcome"], sc.details["rows"]
    assert set(outcome.values()) <= {"reviewed", "recorded"}, outcome
    assert sc.figures["scores in range"], "an out-of-range score reached reviews.csv"
    for kind in bad_outputs():
        pid = f"{kind}__0"
        if kind in LOCALLY_REPAIRABLE or kind == "refusal_then_fixed":
            assert outcome[pid] == "reviewed", (pid, rows[pid]["error"])
        if kind in UNUSABLE:
            assert outcome[pid] == "recorded", (pid, rows[pid]["Overall"])
        if outcome[pid] == "recorded":
            err = rows[pid]["error"]
            assert "\n" not in err and 0 < len(err) < 500, err
    out_of_range = rows["out_of_range__0"]  # never stored as 15: either clipped+flagged, or recorded
    assert out_of_range["error"] or 1 <= float(out_of_range["Overall"]) <= 10
    assert all(outcome[f"p{i:04d}"] == "reviewed" for i in range(3))
    assert sc.ok
