"""Raw report lines with bad values: the trial (not the run) fails when the
scheduler's metric is unusable; other bad values are flagged and never count
as the best; garbage lines are warned about once per trial."""

from __future__ import annotations

import logging
import math
import textwrap

from syne_tune import StoppingCriterion, Tuner
from syne_tune.backend import LocalBackend
from syne_tune.config_space import choice
from syne_tune.experiments import load_experiment
from syne_tune.optimizer.baselines import RandomSearch

SCRIPT = textwrap.dedent(
    """
    import argparse, sys
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind")
    args, _ = parser.parse_known_args()
    lines = {
        "good": ['{"epoch": 1, "loss": 2.0}', '{"epoch": 2, "loss": 1.0}'],
        "nan": ['{"epoch": 1, "loss": 3.0}', '{"epoch": 2, "loss": NaN}', '{"epoch": 3, "loss": 0.1}'],
        "minus_inf": ['{"epoch": 1, "loss": -Infinity}'],
        "string": ['{"epoch": 1, "loss": "low"}'],
        "other_inf": ['{"epoch": 1, "loss": 1.5, "grad_norm": Infinity}', '{"epoch": 2, "loss": 1.4, "grad_norm": NaN}'],
        "garbage": ['{"epoch": 1, "loss": 1.7', 'not json at all', '{"epoch": 1, "loss": 1.6}', '[1, 2]'],
    }[args.kind]
    for i, line in enumerate(lines):
        # raw lines, as a script that does not use the Reporter prints them
        print("[tune-metric]: " + line.replace("}", ', "st_worker_timestamp": %d}' % i, 1) if line.endswith("}") else "[tune-metric]: " + line)
        sys.stdout.flush()
    """
)
KINDS = ["good", "nan", "minus_inf", "string", "other_inf", "garbage"]


def test_bad_values_fail_only_their_trial(tmp_path, caplog):
    script = tmp_path / "bad_values.py"
    script.write_text(SCRIPT)
    tuner = Tuner(
        trial_backend=LocalBackend(entry_point=str(script)),
        scheduler=RandomSearch({"kind": choice(KINDS)}, metric="loss", mode="min", random_seed=0),
        stop_criterion=StoppingCriterion(max_wallclock_time=60),
        n_workers=2,
        sleep_time=0.05,
        max_failures=10,
    )
    with caplog.at_level(logging.WARNING):
        tuner.run()
    df = load_experiment(tuner.tuner_path).results
    kind_of = dict(zip(df["trial_id"], df["config_kind"]))
    status = tuner.tuning_status
    failed = {kind_of[t] for t, row in status.trial_rows.items() if row["status"] == "Failed" and t in kind_of}
    assert failed == {"nan", "minus_inf", "string"}
    assert status.num_trials_failed == 3 and status.num_trials_completed == 3
    # the best value is finite and comes from a good trial
    best = status.best_metric("loss", "min")
    assert math.isfinite(best) and best == 1.0
    assert load_experiment(tuner.tuner_path).best_config()["config_kind"] == "good"
    assert tuner.best_config()[1]["kind"] == "good"
    # the NaN trial's later result (0.1) never reached the scheduler or the store
    assert df["loss"].dtype == float and not (df["loss"] == 0.1).any()
    # invalid results are stored, marked
    invalid = df[df["st_invalid"].notna()]
    assert sorted(invalid["config_kind"]) == ["minus_inf", "nan", "string"]
    assert (invalid["st_status"] == "Failed").all() and (invalid["st_decision"] == "STOP").all()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "'loss' = nan is not a finite number" in text
    assert "'loss' = 'low' is not a number" in text
    assert "grad_norm = inf" in text  # the other metric is flagged, naming trial and metric
    assert text.count("grad_norm") == 1  # once per trial and metric
    garbage_trial = next(t for t, k in kind_of.items() if k == "garbage")
    garbage_warnings = [r for r in caplog.records if "not a JSON object of metrics" in r.getMessage()]
    assert len(garbage_warnings) == 1 and f"Trial {garbage_trial} " in garbage_warnings[0].getMessage()
    # the garbage trial's one good line was used
    assert (df["loss"] == 1.6).sum() == 1
