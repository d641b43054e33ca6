"""Small version of benchmarking/model_based.py: one icml-xgboost task, one
nmt language pair (multi-fidelity, and a constrained task derived from it),
two seeds, tiny budgets, the methods that exist (RS, BO, ASHA), on the
simulator with the Tuner (a few seconds). The full campaign (10 seeds, lcbench,
fcnet, MOBSTER, HyperTune, CBO) is run by the script itself."""

import importlib.util
import json
import math
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("model_based", ROOT / "benchmarking" / "model_based.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def mb(tmp_path_factory):
    from syne_tune.blackbox_repository.conversion_scripts.utils import data_mirror_path

    mirror = data_mirror_path()
    if mirror is None or not (mirror / "nmt_hpo").is_dir() or not (mirror / "icml2020").is_dir():
        pytest.skip("data mirror with nmt_hpo and icml2020 not found")
    mp = pytest.MonkeyPatch()
    mp.setenv("SYNE_TUNE_BLACKBOX_REPOSITORY", str(tmp_path_factory.mktemp("bbrepo")))
    yield _load_script()
    mp.undo()


def _monotone(values, mode):
    pairs = list(zip(values, values[1:]))
    return all(b <= a for a, b in pairs) if mode == "min" else all(b >= a for a, b in pairs)


def test_small_campaign_summary_report_and_verdict(mb, tmp_path):
    out, md = tmp_path / "runs.json", tmp_path / "report.md"
    argv = [
        "--benchmarks", "xgboost-heart", "nmt-so-en", "nmt-so-en-time",
        "--methods", "RS", "BO", "ASHA",
        "--seeds", "0", "1",
        "--workers", "1",
        "--sf-trials", "20",
        "--constrained-trials", "20",
        "--mf-budget-factor", "2",
        "--out", str(out),
        "--results-md", str(md),
    ]
    summary, verdict = mb.main(argv)
    assert set(summary) == {"sf", "mf", "constrained"}
    sf = summary["sf"]["xgboost-heart"]
    assert set(sf) == {"RS", "BO"}
    for s in sf.values():
        assert s["num_seeds"] == 2 and s["budget"] == 20
        bests = [s[f"best@{f:g}"] for f in mb.FRACTIONS]
        assert all(math.isfinite(b) for b in bests) and _monotone(bests, "min")
    mf = summary["mf"]["nmt-so-en"]
    assert set(mf) == {"ASHA"}  # MOBSTER and HyperTune were not asked for
    assert mf["ASHA"]["sim_time"] >= mf["ASHA"]["budget"] and mf["ASHA"]["trials"] > 4
    con = summary["constrained"]["nmt-so-en-time"]
    assert set(con) == {"RS", "BO"}
    for s in con.values():
        assert 0.0 <= s["feasible_fraction"] <= 1.0
        assert s["best_feasible@1_runs"] >= 1  # 35% of the table is feasible: 20 trials find one
    # verdict: BO vs RS on the sf benchmark, n/a where a method was not run
    (entry,) = [e for e in verdict["sf"] if e["method"] == "BO"]
    # challengers of RS that were not asked for read n/a
    assert {e["method"] for e in verdict["sf"] if e["beats@1"] == "n/a"} == {"TPE", "REA", "BORE", "CQR"}
    assert entry["method"] == "BO" and entry["reference"] == "RS" and entry["beats@1"] in ("yes", "no", "tie")
    assert all(e["beats@1"] == "n/a" for e in verdict["mf"])
    assert verdict["constrained"][0]["beats@1"] == "n/a"  # CBO not asked for
    assert any(line.startswith("- xgboost-heart: BO beats RS") for line in verdict["lines"])
    # the comparisons with methods not run are one line per part, not one per benchmark
    (not_run,) = [line for line in verdict["lines"] if line.startswith("- n/a, a method not run") and "TPE vs RS" in line]
    assert "REA vs RS" in not_run and "CQR vs RS" in not_run
    assert not any(": TPE vs RS: n/a" in line for line in verdict["lines"])
    # report: command line at the top, tables; raw JSON with the curves
    text = md.read_text()
    lines = text.splitlines()
    assert lines[0] == "# Model-based search benchmark"
    assert lines[2] == "<!-- begin generated section: sf+mf+constrained -->" and lines[-1].startswith("<!-- end generated")
    assert "python benchmarking/model_based.py --benchmarks xgboost-heart" in lines[lines.index("Produced by:") + 2]
    assert "| xgboost-heart | min | BO |" in text and "| nmt-so-en | min | ASHA |" in text
    assert "### Verdict" in text
    data = json.loads(out.read_text())
    assert len(data["runs"]) == 2 * (2 + 1 + 2)
    for r in data["runs"]:
        if r["part"] == "mf":
            times = [t for t, _ in r["curve"]]
            assert times == sorted(times) and times[-1] <= r["budget"] + 1e-6
        else:
            assert len(r["curve"]) == 20
        assert _monotone([v for *_, v in r["curve"]] if r["part"] == "mf" else r["curve"], "min")


def test_same_seed_same_run(mb):
    for job in [("sf", "xgboost-heart", "BO", 3, 12, 0.35), ("mf", "nmt-so-en", "ASHA", 1, 1.0, 0.35)]:
        a, b = mb.run_one(job), mb.run_one(job)
        a.pop("wall_s"), b.pop("wall_s")
        assert a == b


def test_missing_baseline_is_skipped_with_a_message(mb, monkeypatch, capsys):
    monkeypatch.setitem(mb.BASELINE_NAMES, "MOBSTER", "NoSuchBaseline")
    summary, verdict = mb.main(
        ["--parts", "mf", "--benchmarks", "nmt-so-en", "--methods", "ASHA", "MOBSTER",
         "--seeds", "0", "--workers", "1", "--mf-budget-factor", "1", "--results-md", "-"]
    )
    assert "Skipping method MOBSTER: syne_tune.optimizer.baselines has no NoSuchBaseline" in capsys.readouterr().out
    assert set(summary["mf"]["nmt-so-en"]) == {"ASHA"}
    (entry,) = [e for e in verdict["mf"] if e["method"] == "MOBSTER"]
    assert entry["beats@1"] == "n/a" and "NoSuchBaseline" in entry["reason"]


def test_failing_run_is_reported_and_left_out(mb, monkeypatch, tmp_path):
    def broken(info, seed):
        raise TypeError("unexpected keyword argument")

    monkeypatch.setitem(mb.METHOD_FACTORIES, "BO", broken)
    out = tmp_path / "runs.json"
    summary, verdict = mb.main(
        ["--parts", "sf", "--benchmarks", "xgboost-heart", "--methods", "RS", "BO", "--seeds", "0",
         "--workers", "1", "--sf-trials", "8", "--results-md", "-", "--out", str(out)]
    )
    assert set(summary["sf"]["xgboost-heart"]) == {"RS"}
    assert verdict["sf"][0]["beats@1"] == "n/a"
    (failure,) = json.loads(out.read_text())["failures"]
    assert failure["method"] == "BO" and "unexpected keyword argument" in failure["error"]


def test_regret_reduction_and_family_verdict():
    mb = _load_script()  # no blackbox needed: the optimum is given
    # regrets 1 (method) and 2 (reference): half the reference's regret
    assert mb.regret_reduction(9.0, 8.0, 10.0) == pytest.approx(0.5)
    assert mb.regret_reduction(8.0, 9.0, 10.0) == pytest.approx(-0.5)
    assert mb.regret_reduction(10.0, 10.0, 10.0) == 0.0
    assert mb.regret_reduction(10.0, 7.0, 10.0) == 1.0  # reaches the optimum, the reference does not
    assert mb.family_of("lcbench-airlines") == "lcbench" and mb.family_of("nmt-zh-en") == "nmt"

    def s(best):
        return {f"best@{f}": best for f in ("0.25", "0.5", "1")}

    # lcbench (max): MOBSTER better on one task (regret 1 vs 2), worse on the other (3 vs 2)
    summary = {"mf": {
        "lcbench-airlines": {"MOBSTER": s(9.0), "ASHA": s(8.0)},
        "lcbench-albert": {"MOBSTER": s(7.0), "ASHA": s(8.0)},
        "nmt-zh-en": {"MOBSTER": s(2.0), "ASHA": s(3.0)},  # min, optimum 1: regret 1 vs 2
    }}
    entries = {(e["family"], e["method"]): e for e in mb.family_verdict(summary, optimum=lambda b: 10.0 if b.startswith("lcbench") else 1.0)}
    lc = entries[("lcbench", "MOBSTER")]
    assert lc["tasks"] == 2 and lc["wins@1"] == 1
    assert lc["regret_reduction@1"] == pytest.approx((0.5 - 1 / 3) / 2)
    nmt = entries[("nmt", "MOBSTER")]
    assert nmt["wins@1"] == 1 and nmt["regret_reduction@1"] == pytest.approx(0.5)
    lines = mb.family_lines(list(entries.values()))
    assert any(line.startswith("- lcbench: MOBSTER beats ASHA at 100%: yes") for line in lines)


def test_bad_section_is_refused_before_any_run(mb, tmp_path, capsys):
    md = tmp_path / "report.md"
    md.write_text("# R\n<!-- begin generated section: sf -->\nno end marker\n")
    for argv in (["--section", "a-->b"], []):  # a bad name; the default name 'sf' with a broken section
        with pytest.raises(SystemExit):
            mb.main(["--parts", "sf", "--benchmarks", "xgboost-heart", "--methods", "RS", "--seeds", "0",
                     "--workers", "1", "--sf-trials", "5", "--results-md", str(md), *argv])
        err = capsys.readouterr().err
        assert "--section / --results-md" in err and ("'key' parameter" in err or "incomplete" in err)
    assert md.read_text() == "# R\n<!-- begin generated section: sf -->\nno end marker\n"


def test_oracle_order_variant_starts_the_table_best_first(mb):
    import numpy as np

    order = mb.oracle_order("nmt-so-en")
    bb = mb.mfc._blackbox("nmt-so-en")
    values = np.asarray(bb.objectives_evaluations[:, 0, :, bb.objectives_names.index("dev_ppl")], dtype=float)
    best = np.nanmin(values, axis=1)
    assert sorted(order) == list(range(len(best)))  # a permutation of the table's rows
    assert np.all(np.diff(best[order]) >= 0)  # dev_ppl is minimized: best first
    info = mb.mf_info("nmt-so-en")
    scheduler = mb.METHOD_FACTORIES["ASHA-oracle"](info, 0)
    from syne_tune.backend.trial_status import Trial

    firsts = []
    for trial_id in range(3):
        config = scheduler.suggest(trial_id).config
        scheduler.on_trial_add(Trial(trial_id=trial_id, config=config, creation_time=None))
        firsts.append({k: v for k, v in config.items() if k in info["configs"][0]})
    assert firsts == [info["configs"][i] for i in order[:3]]
    assert mb.baseline_name("ASHA-promotion-oracle") == "ASHA"


def test_oracle_comparisons_only_when_both_ran(mb):
    assert ("ASHA-oracle", "ASHA") not in mb.comparisons("mf", {"ASHA", "MOBSTER"})
    assert ("ASHA-oracle", "ASHA") in mb.comparisons("mf", {"ASHA", "ASHA-oracle"})
    summary, verdict = mb.main(
        ["--parts", "mf", "--benchmarks", "nmt-so-en", "--methods", "ASHA", "ASHA-oracle",
         "--seeds", "0", "--workers", "1", "--mf-budget-factor", "1", "--results-md", "-"]
    )
    assert set(summary["mf"]["nmt-so-en"]) == {"ASHA", "ASHA-oracle"}
    assert any(line.startswith("- nmt-so-en: ASHA-oracle beats ASHA") for line in verdict["lines"])
    assert not any("Hyperband-oracle" in line for line in verdict["lines"])  # not asked for: not mentioned
