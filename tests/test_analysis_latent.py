"""Latent reliability, retest and `icb plan` (issue 14, contract §7): recovery on simulated
cohorts with a known person-level SD and trial SD, the trials-for-0.7 prediction against the
split-half a cohort with that many trials reaches, ICC(A,1) against pingouin, the retest
model on a cohort with a known pre-post correlation, and the command line."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import cell_reml, io, latent, plan, reliability, retest, retest_model
from analysis.latent_files import LATENT_COLUMNS, RETEST_COLUMNS
from icb.cli import main
from latent_data import implied, recovery, simulate_frame, simulate_retest

CONTRACT_LATENT = ["session", "task", "condition", "measure", "n_participants",
                   "trials_per_cell", "observed_var", "error_var", "true_var", "reliability",
                   "reliability_ci_low", "reliability_ci_high", "trial_sd", "snr",
                   "trials_for_0.7", "trials_for_0.8"]
CONTRACT_RETEST = ["task", "condition", "measure", "group", "n", "r_observed", "icc_a1",
                   "r_disattenuated", "r_latent", "r_latent_ci_low", "r_latent_ci_high", "note"]


def test_the_files_have_the_contracts_columns():
    assert LATENT_COLUMNS == CONTRACT_LATENT
    assert RETEST_COLUMNS == CONTRACT_RETEST


# -- recovery --------------------------------------------------------------------------------

def test_recovery_table_reliability_and_snr_fall_in_their_intervals():
    """The table of docs/analysis.md: at most one of the six 95% intervals of each quantity
    may miss the value the simulation implies (about 0.3 misses are expected)."""
    table = recovery()
    for what in ("reliability", "snr"):
        inside = (table[f"{what}_ci_low"] <= table[f"{what}_implied"]) & \
                 (table[f"{what}_implied"] <= table[f"{what}_ci_high"])
        assert inside.sum() >= len(table) - 1, table


@pytest.mark.parametrize("setting", [(200, 48, 30.0, 100.0, 2), (150, 20, 0.08, 0.2, 1)])
def test_interval_coverage_and_bias_over_replicates(setting):
    n, trials, person, noise, sides = setting
    want = implied(trials_per_side=trials, person_sd=person, trial_sd=noise, sides=sides)
    rows = [latent.latent_reliability(
        simulate_frame(np.random.default_rng([11, k]), n_participants=n,
                       trials_per_side=trials, person_sd=person, trial_sd=noise, sides=sides),
        n_boot=500, seed=k).iloc[0] for k in range(40)]
    rows = pd.DataFrame(rows)
    for what in ("reliability", "snr"):
        covered = ((rows[f"{what}_ci_low"] <= want[what])
                   & (want[what] <= rows[f"{what}_ci_high"])).mean()
        assert covered >= 0.85, (what, covered)
        se = rows[what].std(ddof=1) / np.sqrt(len(rows))
        assert abs(rows[what].mean() - want[what]) < 4 * se + 0.01, (what, rows[what].mean())


def test_formulas_by_hand():
    d = pd.DataFrame({"unit": np.repeat(["a", "b", "c", "d"], 6),
                      "side": [1, 1, 1, 0, 0, 0] * 4,
                      "value": [10., 12., 14., 1., 2., 3., 20., 21., 22., 0., 2., 4.,
                                5., 5., 8., 1., 1., 1., 30., 34., 32., 3., 5., 4.]})
    row = latent.latent_reliability(d, n_boot=100).iloc[0]
    plus = d[d.side == 1].groupby("unit")["value"]
    minus = d[d.side == 0].groupby("unit")["value"]
    score = plus.mean() - minus.mean()
    err = (plus.var() / plus.size() + minus.var() / minus.size()).mean()
    assert row["observed_var"] == pytest.approx(score.var(ddof=1))
    assert row["error_var"] == pytest.approx(err)
    assert row["true_var"] == pytest.approx(score.var(ddof=1) - err)
    assert row["reliability"] == pytest.approx((score.var(ddof=1) - err) / score.var(ddof=1))
    pooled = np.sqrt((plus.var().sum() * 2 + minus.var().sum() * 2) / 16)
    assert row["trial_sd"] == pytest.approx(pooled)
    snr = np.sqrt(score.var(ddof=1) - err) / pooled
    assert row["snr"] == pytest.approx(snr)
    assert row["trials_for_0.7"] == np.ceil(2 * 0.7 / (snr ** 2 * 0.3))
    assert row["trials_per_cell"] == 3.0


def test_one_side_and_placeholder_zeros_use_the_mean_formulas():
    rng = np.random.default_rng(4)
    shares = simulate_frame(rng, n_participants=50, trials_per_side=20, person_sd=0.1,
                            trial_sd=0.2, sides=1, mean_effect=0.4)
    zeros = pd.DataFrame({"unit": np.repeat(shares["unit"].unique(), 2), "side": 0,
                          "value": 0.0, "order": 0.0})  # as the free-viewing scorer writes
    a = latent.latent_reliability(shares, n_boot=100).iloc[0]
    b = latent.latent_reliability(pd.concat([shares, zeros]), n_boot=100).iloc[0]
    assert a["sides"] == b["sides"] == 1
    assert a["reliability"] == b["reliability"]
    per = shares.groupby("unit")["value"]
    assert a["error_var"] == pytest.approx((per.var() / per.size()).mean())
    assert a["trials_for_0.7"] == np.ceil(0.7 / (a["snr"] ** 2 * 0.3))


def test_no_signal_gives_zero_reliability_and_no_trial_count():
    frame = simulate_frame(np.random.default_rng(1), n_participants=80, trials_per_side=10,
                           person_sd=0.0, trial_sd=50.0)
    row = latent.latent_reliability(frame, n_boot=200).iloc[0]
    if row["true_var"] <= 0:
        assert row["reliability"] == 0 and row["snr"] == 0
        assert np.isnan(row["trials_for_0.7"]) and np.isnan(row["trials_for_0.8"])
    assert row["reliability_ci_low"] == 0


def test_damaged_input_never_raises():
    empty = pd.DataFrame({"unit": [], "side": [], "value": []})
    assert latent.latent_reliability(empty).iloc[0]["n_participants"] == 0
    odd = pd.DataFrame({"unit": list("aabbccdd"), "side": [1, 0] * 4,
                        "value": [np.inf, 1., 2., 3., np.nan, 1., 5., 5.]})
    row = latent.latent_reliability(odd).iloc[0]
    assert row["n_participants"] == 0 and np.isnan(row["reliability"])


def test_trials_for_07_predicts_the_split_half_a_cohort_with_that_many_trials_reaches():
    reached = []
    for seed in range(4):
        pilot = simulate_frame(np.random.default_rng([seed, 1]), n_participants=300,
                               trials_per_side=30, person_sd=25.0, trial_sd=100.0)
        trials = int(latent.latent_reliability(pilot, n_boot=200).iloc[0]["trials_for_0.7"])
        cohort = simulate_frame(np.random.default_rng([seed, 2]), n_participants=300,
                                trials_per_side=trials, person_sd=25.0, trial_sd=100.0)
        reached.append(reliability.split_half(cohort, order="order", n_splits=200,
                                              seed=seed)["sb"])
    assert abs(np.mean(reached) - 0.7) < 0.05, reached


# -- retest ----------------------------------------------------------------------------------

def test_icc_a1_equals_pingouin_to_1e_9():
    pingouin = pytest.importorskip("pingouin")
    rng = np.random.default_rng(9)
    for n, shift in ((5, 0.0), (30, 3.0), (200, -1.5)):
        person = rng.normal(0, 2, n)
        pre, post = person + rng.normal(0, 1, n), person + shift + rng.normal(0, 1, n)
        long = pd.DataFrame({"target": np.tile(np.arange(n), 2), "rater": np.repeat([0, 1], n),
                             "rating": np.r_[pre, post]})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = pingouin.intraclass_corr(long, targets="target", raters="rater",
                                             ratings="rating")
        # pingouin >= 0.7 names it ICC(A,1); before, ICC2 ("single random raters")
        kind = table["Type"].isin(["ICC(A,1)", "ICC2"])
        theirs = float(table.loc[kind, "ICC"].iloc[0])
        assert retest.icc_a1(np.column_stack([pre, post])) == pytest.approx(theirs, abs=1e-9)


@pytest.fixture(scope="module")
def known_rho():
    """150 participants, true pre-post correlation 0.6, person SD 30, trial SD 70, 40 trials
    per side: implied reliability 0.72 per session, observed r about 0.6 x 0.72."""
    pre, post, scores = simulate_retest(np.random.default_rng(21), n_participants=150,
                                        trials_per_side=40, person_sd=30.0, trial_sd=70.0,
                                        rho=0.6)
    lat = pd.concat([latent.latent_reliability(f, n_boot=500, seed=1).assign(
        session=s, task="sim", condition="c", measure="score")
        for s, f in (("pre", pre), ("post", post))], ignore_index=True)
    participants = pd.DataFrame({"participant_id": sorted(pre["unit"].unique()),
                                 "group": ["MORE", "control"] * 75})
    model = {"retest_model": True, "retest_max_participants": 150,
             "retest_max_iterations": 200}
    table = retest.retest_table(scores, participants=participants, latent_table=lat,
                                trials={("sim", "c", "score"): (pre, post)}, model=model,
                                seed=3)
    return pre, post, table


def test_retest_recovers_the_known_pre_post_correlation(known_rho):
    _, _, table = known_rho
    assert list(table.columns) == CONTRACT_RETEST
    assert table["group"].tolist() == ["all", "MORE", "control"]
    row = table.iloc[0]
    assert row["n"] == 150
    assert row["r_latent_ci_low"] < 0.6 < row["r_latent_ci_high"], row
    assert abs(row["r_latent"] - 0.6) < 0.15
    assert abs(row["r_disattenuated"] - 0.6) < 0.15
    attenuated = 0.6 * implied(trials_per_side=40, person_sd=30, trial_sd=70)["reliability"]
    assert abs(row["r_observed"] - attenuated) < 0.15
    assert row["r_observed"] < row["r_latent"]
    assert -1 <= row["icc_a1"] <= row["r_observed"] + 0.05  # a mean shift lowers agreement


def test_statsmodels_from_the_cell_reml_start_equals_its_own_fit(known_rho):
    from statsmodels.regression.mixed_linear_model import MixedLM

    pre, post, _ = known_rho
    keep = sorted(pre["unit"].unique())[:50]
    frame, sides = retest.trial_rows(pre, post, keep)
    beta, psi, sigma2 = cell_reml.reml(frame, sides=sides)
    exog = retest_model.design(frame, sides=sides)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = MixedLM(frame["value"].to_numpy(float), exog, groups=frame["unit"].to_numpy(),
                        exog_re=exog).fit(reml=True, method=["lbfgs"], maxiter=500)
    assert np.allclose(psi * sigma2, plain.cov_re, rtol=2e-3, atol=1e-3 * sigma2)
    assert np.allclose(beta, plain.fe_params, rtol=1e-4, atol=1e-3)
    ours = retest_model.latent_correlation(frame, sides=sides)
    c = np.asarray(plain.cov_re)
    assert ours["r_latent"] == pytest.approx(c[2, 3] / np.sqrt(c[2, 2] * c[3, 3]), abs=2e-3)


def test_too_few_participants_is_a_note_not_a_failure():
    pre, post, _ = simulate_retest(np.random.default_rng(2), n_participants=4,
                                   trials_per_side=5, person_sd=10.0, trial_sd=20.0, rho=0.5)
    frame, sides = retest.trial_rows(pre, post, pre["unit"].unique())
    out = retest_model.latent_correlation(frame, sides=sides)
    assert np.isnan(out["r_latent"]) and "not fitted" in out["note"]


# -- icb score, icb report, icb plan ---------------------------------------------------------

@pytest.fixture(scope="module")
def demo_scores(tmp_path_factory):
    base = tmp_path_factory.mktemp("latent-demo")
    root, out = base / "data", base / "scores"
    assert main(["simulate", "configs/demo/dotprobe.yaml", "--participants", "6",
                 "--data-dir", str(root)]) == 0
    assert main(["score", str(root), "--out", str(out), "--include-simulated"]) == 0
    return out


def test_icb_score_writes_both_files_and_their_provenance(demo_scores):
    for name, columns in (("reliability_latent.tsv", CONTRACT_LATENT),
                          ("retest.tsv", CONTRACT_RETEST)):
        header = (demo_scores / name).read_text(encoding="utf-8").splitlines()[0]
        assert header.split("\t") == columns
    prov = json.loads((demo_scores / "provenance.json").read_text(encoding="utf-8"))
    assert prov["LatentReliability"]["BootstrapResamples"] == 2000
    assert prov["LatentReliability"]["Seed"] == prov["Settings"]["reliability"]["seed"]
    assert prov["Retest"]["File"] == "retest.tsv"


def test_icb_report_renders_the_section(demo_scores, tmp_path):
    html_path = tmp_path / "report.html"
    assert main(["report", str(demo_scores), "--out", str(html_path)]) == 0
    assert "Can these data show individual change?" in html_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cohort_scores(tmp_path_factory):
    from analysis import score, settings
    from analysis_data import make_cohort

    base = tmp_path_factory.mktemp("latent-cohort")
    make_cohort(base / "data", n_per_group=8, tasks=("dotprobe",), seed=5)
    s = settings.defaults()
    s["reliability"]["n_splits"] = 100
    s["latent"]["n_boot"] = 300
    (base / "scores").mkdir()
    score.score(base / "data", base / "scores", settings=s, show_progress=False)
    return base / "scores"


def test_report_section_has_the_figures_sentences_and_rci_verdicts(cohort_scores, tmp_path):
    lat = io.read_score_tsv(cohort_scores / "reliability_latent.tsv")
    assert len(lat) == 8 and (lat["n_participants"] == 16).all()
    rt = io.read_score_tsv(cohort_scores / "retest.tsv")
    assert len(rt) == 12 and set(rt["group"]) == {"all", "MORE", "control"}
    html_path = tmp_path / "r.html"
    assert main(["report", str(cohort_scores), "--out", str(html_path)]) == 0
    text = html_path.read_text(encoding="utf-8")
    assert "task-dotprobe bias_ms at infant_distress-infant_neutral@200 (pre): reliability" \
        in text
    assert "Reliable change index" in text and "ICC(A,1)" in text
    assert "Rouder, J. N., &amp; Haaf" in text


def _icb(capsys, *argv) -> tuple[int, str, str]:
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exc:
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_icb_plan_prints_and_writes_the_table(cohort_scores, tmp_path, capsys):
    out = tmp_path / "plan.tsv"
    status, printed, err = _icb(capsys, "plan", cohort_scores, "--target-reliability", "0.8",
                                "--out", out)
    assert status == 0, err
    assert "n/group" in printed
    table = io.read_score_tsv(out)
    assert list(table.columns) == plan.COLUMNS
    assert (table["target_reliability"] == 0.8).all() and len(table) == 4
    lat = io.read_score_tsv(cohort_scores / "reliability_latent.tsv")
    pre = lat[lat["session"] == "pre"].set_index("condition")["trials_for_0.8"]
    ok = table.dropna(subset=["trials_per_side"]).set_index("condition")["trials_per_side"]
    assert (ok == pre[ok.index]).all()  # at a target of 0.8: the file's trials_for_0.8
    status, _, err = _icb(capsys, "plan", cohort_scores, "--out", out)
    assert status == 2 and "exists" in err  # never overwritten


@pytest.mark.parametrize("argv", [
    ["plan", "/nonexistent/scores"],
    ["plan", "{scores}", "--target-reliability", "1.5"],
    ["plan", "{scores}", "--target-reliability", "nan"],
    ["plan", "{scores}", "--effect-d", "-0.5"],
    ["plan", "{scores}", "--effect-d", "inf"],
    ["plan", "{scores}", "--alpha", "0"],
    ["plan", "{scores}", "--power", "abc"],
    ["plan", "{scores}", "--out", "{tmp}/plan.csv"],
    ["plan", "{tmp}"],
])
def test_icb_plan_bad_input_is_one_line_and_exit_2(argv, cohort_scores, tmp_path, capsys):
    argv = [a.format(scores=cohort_scores, tmp=tmp_path) for a in argv]
    status, _, err = _icb(capsys, *argv)
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("icb plan: error:"), err
    assert "Traceback" not in err


def test_both_files_do_not_depend_on_the_order_of_rows(cohort_scores, tmp_path):
    import random
    import shutil

    from analysis import score, settings

    root = tmp_path / "data"
    shutil.copytree(cohort_scores.parent / "data", root)
    rng = random.Random(7)
    for path in root.rglob("*_events.tsv"):
        lines = path.read_text().splitlines(keepends=True)
        body = lines[1:]
        rng.shuffle(body)
        path.write_text(lines[0] + "".join(body))
    s = settings.defaults()
    s["reliability"]["n_splits"] = 100
    s["latent"]["n_boot"] = 300
    (tmp_path / "scores").mkdir()
    score.score(root, tmp_path / "scores", settings=s, show_progress=False)
    for name in ("reliability_latent.tsv", "retest.tsv"):
        assert (tmp_path / "scores" / name).read_text() == (cohort_scores / name).read_text()
