"""`icb score` / `icb report` end to end on data written by the project's EventsWriter."""

from __future__ import annotations

import json
import math
import random
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from analysis import dataset, events, io, score, settings
from analysis_data import CONDITIONS, make_cohort, write_run, dotprobe_rows
from icb.cli import main
from icb.errors import BadInput

SCORE_FILES = ["trials.tsv", "scores.tsv", "reliability.tsv", "change.tsv", "rci.tsv",
               "exclusions.tsv", "runs.tsv", "internal_consistency.tsv", "mixed_model.tsv"]


def fast_settings(n_splits=200):
    s = settings.defaults()
    s["reliability"]["n_splits"] = n_splits
    return s


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort") / "data"
    truth = make_cohort(root, n_per_group=20, seed=42)
    out = tmp_path_factory.mktemp("scores")
    score.score(root, out, settings=fast_settings(), show_progress=False)
    return root, out, truth


def read(out, name):
    return io.read_score_tsv(Path(out) / name)


def test_planted_bias_comes_back_per_participant_and_group(cohort):
    root, out, truth = cohort
    s = read(out, "scores.tsv")
    b = s[(s["measure"] == "bias_ms")].dropna(subset=["value"])
    assert len(b) == 40 * 2 * 4
    b = b.assign(truth=[truth["bias"][(p, ses)][c] for p, ses, c in
                        zip(b["participant_id"], b["session"], b["condition"])],
                 group=b["participant_id"].map(truth["group"]))
    for (g, ses, c), d in b.groupby(["group", "session", "condition"]):
        err = d["value"] - d["truth"]
        se = err.std(ddof=1) / math.sqrt(len(err))
        assert abs(err.mean()) < 3.5 * se, (g, ses, c, err.mean(), se)
    chg = read(out, "change.tsv")
    for g, planted in (("MORE", -20.0), ("control", 0.0)):
        rows = chg[(chg["measure"] == "bias_ms") & (chg["group"] == g)]
        assert len(rows) == 4 and (rows["n"] == 20).all()
        for _, r in rows.iterrows():
            se = r["sd_change"] / math.sqrt(r["n"])
            assert abs(r["mean_change"] - planted) < 3.5 * se
    assert set(chg["group"]) == {"all", "MORE", "control"}


def test_planted_rating_and_keypress_salience(cohort):
    _, out, truth = cohort
    s = read(out, "scores.tsv")
    s = s.assign(group=s["participant_id"].map(truth["group"]))
    liking = s[(s["task"] == "rating") & (s["condition"] == "infant_minus_adult")
               & (s["measure"] == "liking_salience")]
    planted = {("MORE", "pre"): 1.0, ("MORE", "post"): 2.0, ("control", "pre"): 1.0,
               ("control", "post"): 1.0}
    for (g, ses), d in liking.groupby(["group", "session"]):
        se = d["value"].std(ddof=1) / math.sqrt(len(d))
        assert abs(d["value"].mean() - planted[(g, ses)]) < 3.5 * se
    view = s[(s["task"] == "keypress") & (s["condition"] == "infant_minus_adult")
             & (s["measure"] == "viewing_time_salience_ms")]["value"]
    assert abs(view.mean() - 1000.0) < 3.5 * view.std(ddof=1) / math.sqrt(len(view))


def test_mixed_model_recovers_the_group_by_session_change(cohort):
    _, out, _ = cohort
    m = read(out, "mixed_model.tsv")
    term = m[m["term"] == "congruent:post:group[T.MORE]"]
    assert len(term) == 4
    for _, r in term.iterrows():  # bias falls by 20 ms in MORE: -bias rises by 20
        assert abs(r["estimate"] - 20.0) < 3.5 * r["se"]


def _plain_bias(root: Path, s: dict) -> dict:
    """Straightforward re-implementation of cleaning + bias from the raw files."""
    out = {}
    for path in sorted(root.rglob("*_task-dotprobe_run-*_events.tsv")):
        pid = "sub-" + path.name.split("_")[0][4:]
        ses = path.name.split("_")[1][4:]
        t = pd.read_csv(path, sep="\t", na_values=["n/a"], keep_default_na=False)
        test = t[t["phase"] == "test"]
        if test["correct"].mean() < s["accuracy_min"]:
            continue
        for cond in CONDITIONS:
            pair, dur = cond.split("@")
            d = test[(test["trial_type"] == pair) & (test["cue_duration_ms"] == float(dur))]
            d = d[(d["correct"] == 1) & d["rt_ms"].notna()]
            d = d[(d["rt_ms"] >= 200) & (d["rt_ms"] <= 2000)]
            med = d["rt_ms"].median()
            mad = 1.4826 * (d["rt_ms"] - med).abs().median()
            if mad > 0:
                d = d[(d["rt_ms"] - med).abs() <= 2.5 * mad]
            inc, con = d[d["congruent"] == 0]["rt_ms"], d[d["congruent"] == 1]["rt_ms"]
            out[(pid, ses, cond)] = (inc.mean() - con.mean(), d["rt_ms"].std(ddof=1),
                                     len(con), len(inc))
    return out


def test_every_bias_equals_a_plain_reimplementation(cohort):
    root, out, _ = cohort
    ref = _plain_bias(root, settings.defaults()["dotprobe"])
    s = read(out, "scores.tsv")
    wide = s[s["task"] == "dotprobe"].pivot_table(
        index=["participant_id", "session", "condition"], columns="measure", values="value")
    assert len(ref) == len(wide.dropna(subset=["bias_ms"]))
    for key, (bias, sd, nc, ni) in ref.items():
        row = wide.loc[key]
        assert row["bias_ms"] == pytest.approx(bias, rel=1e-12)
        assert row["rt_sd_ms"] == pytest.approx(sd, rel=1e-12)
        assert (row["n_congruent"], row["n_incongruent"]) == (nc, ni)


def test_trials_tsv_keeps_every_trial_with_a_reason(cohort):
    root, out, _ = cohort
    t = read(out, "trials.tsv")
    n_rows = sum(len(p.read_text().splitlines()) - 1 for p in root.rglob("*_events.tsv"))
    assert len(t) == n_rows
    dp = t[t["task"] == "dotprobe"]
    assert (dp["excluded"] == dp["exclusion_reason"].notna().astype(int)).all()
    assert set(dp.loc[dp["phase"] == "practice", "exclusion_reason"]) == {"practice"}
    assert set(dp.loc[dp["trial_type"] == "filler", "exclusion_reason"]) <= {"filler",
                                                                             "practice"}


def test_cry_composite_and_alpha_against_plain_computation(cohort):
    root, out, _ = cohort
    rows = []
    for path in sorted(root.rglob("*_task-cryrating_*_events.tsv")):
        t = pd.read_csv(path, sep="\t", na_values=["n/a"], keep_default_na=False)
        t["participant_id"] = "sub-" + path.name.split("_")[0][4:]
        t["session"] = path.name.split("_")[1][4:]
        rows.append(t)
    raw = pd.concat(rows)
    scales = ["urgent", "aversive", "distressed"]
    s = read(out, "scores.tsv")
    comp = s[(s["measure"] == "aversiveness_mean")].set_index(
        ["participant_id", "session", "condition"])["value"]
    pid = "sub-003"
    d = raw[(raw["participant_id"] == pid) & (raw["session"] == "pre")
            & (raw["category"] == "infant") & (raw["valence"] == "high_distress")]
    expect = np.mean([d[d["scale"] == sc]["rating"].mean() for sc in scales])
    assert comp[(pid, "pre", "infant-high_distress")] == pytest.approx(expect)
    pre = raw[(raw["session"] == "pre") & raw["scale"].isin(scales)]
    x = pre.groupby(["participant_id", "scale"])["rating"].mean().unstack()[scales].to_numpy()
    k = 3
    alpha = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    ic = read(out, "internal_consistency.tsv").set_index("session")
    assert ic.loc["pre", "cronbach_alpha"] == pytest.approx(alpha)


def _copy(root: Path, tmp: Path) -> Path:
    dest = tmp / "copy"
    shutil.copytree(root, dest)
    return dest


def test_same_numbers_whatever_the_order_of_files_and_rows(cohort, tmp_path, monkeypatch):
    root, out, _ = cohort
    shuffled = _copy(root, tmp_path)
    rng = random.Random(3)
    for path in shuffled.rglob("*_events.tsv"):
        lines = path.read_text().splitlines(keepends=True)
        body = lines[1:]
        rng.shuffle(body)
        path.write_text(lines[0] + "".join(body))
    real_find = events.find_event_files
    monkeypatch.setattr(events, "find_event_files", lambda r: list(reversed(real_find(r))))
    out2 = tmp_path / "out2"
    out2.mkdir()
    score.score(shuffled, out2, settings=fast_settings(), show_progress=False)
    for name in SCORE_FILES:
        a, b = (Path(out) / name).read_text(), (out2 / name).read_text()
        if name == "runs.tsv":  # sha256 of the shuffled files differs, nothing else
            a = pd.read_csv(Path(out) / name, sep="\t").drop(columns="sha256")
            b = pd.read_csv(out2 / name, sep="\t").drop(columns="sha256")
            pd.testing.assert_frame_equal(a, b)
        else:
            assert a == b, name


def _small_root(tmp: Path, n=3) -> Path:
    root = tmp / "small"
    make_cohort(root, n_per_group=n, tasks=("dotprobe",), seed=1)
    return root


def test_unreadable_files_are_listed_and_the_rest_scored(tmp_path):
    root = _small_root(tmp_path)
    files = sorted(root.rglob("*_events.tsv"))
    lines = files[0].read_text().splitlines()
    files[0].write_text("\n".join(lines[:-1] + ["\t".join(lines[-1].split("\t")[:5])]) + "\n")
    files[1].write_text(files[1].read_text().replace("trial_index", "trial_idx", 1))
    text = files[2].read_text().splitlines()
    cells = text[10].split("\t")
    cells[-1] = "fast"
    text[10] = "\t".join(cells)
    files[2].write_text("\n".join(text) + "\n")
    out = tmp_path / "o"
    out.mkdir()
    score.score(root, out, settings=fast_settings(), show_progress=False)
    ex = read(out, "exclusions.tsv")
    reasons = " | ".join(ex["reason"])
    assert "row cut short" in reasons
    assert "missing column(s) trial_index" in reasons
    assert "column rt_ms: bad value 'fast'" in reasons and "line 11" in reasons
    runs = read(out, "runs.tsv")
    assert runs["scored"].sum() == len(files) - 3


def test_crashed_and_superseded_runs(tmp_path):
    root = _small_root(tmp_path, n=2)
    rng = np.random.default_rng(0)
    write_run(root, "001", "pre", "dotprobe", dotprobe_rows(rng, bias_ms={})[:50],
              status="in_progress", run=2)
    write_run(root, "900", "pre", "dotprobe", dotprobe_rows(rng, bias_ms={})[:80],
              status="in_progress", group="MORE")
    out = tmp_path / "o"
    out.mkdir()
    prov = score.score(root, out, settings=fast_settings(), show_progress=False)
    runs = read(out, "runs.tsv").set_index(["participant_id", "session", "task", "run"])
    assert runs.loc[("sub-001", "pre", "dotprobe", 1), "scored"] == 1
    assert runs.loc[("sub-001", "pre", "dotprobe", 2), "scored"] == 0
    assert runs.loc[("sub-900", "pre", "dotprobe", 1), "crashed"] == 1
    assert runs.loc[("sub-900", "pre", "dotprobe", 1), "scored"] == 1
    ex = read(out, "exclusions.tsv")
    assert "superseded by run-1" in set(ex["reason"])
    assert any("sub-900" in w and "crashed" in w for w in prov["Warnings"])


def test_simulated_rule(tmp_path):
    sim = tmp_path / "sim"
    make_cohort(sim, n_per_group=2, tasks=("dotprobe",), simulated={"seed": 1})
    with pytest.raises(BadInput, match="--include-simulated"):
        dataset.load(sim, show_progress=False)
    assert dataset.load(sim, include_simulated=True, show_progress=False).runs["scored"].sum() == 8
    rng = np.random.default_rng(2)
    write_run(sim, "500", "pre", "dotprobe", dotprobe_rows(rng, bias_ms={}), group="MORE")
    ds = dataset.load(sim, show_progress=False)
    assert ds.runs["scored"].sum() == 1
    assert sum("simulated run" in e["reason"] for e in ds.exclusions) == 8


def test_missing_sidecar_is_scored_with_a_warning(tmp_path):
    root = _small_root(tmp_path, n=2)
    victim = sorted(root.rglob("*_events.json"))[0]
    victim.unlink()
    ds = dataset.load(root, show_progress=False)
    assert ds.runs["scored"].sum() == 8
    assert any("sidecar missing" in w for w in ds.warnings)


def test_cli_exit_status_and_messages(tmp_path, capsys):
    root = _small_root(tmp_path, n=3)
    bad = tmp_path / "bad.yaml"
    bad.write_text("dotprobe:\n  rt_min_ms: -5\n  outlier_metod: mad\n")
    assert main(["score", str(root), "--out", str(tmp_path / "a"), "--scoring", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "rt_min_ms" in err and "did you mean 'outlier_method'" in err
    assert main(["score", str(tmp_path / "nowhere"), "--out", str(tmp_path / "b")]) == 2
    assert "data root not found" in capsys.readouterr().err
    full = tmp_path / "full"
    full.mkdir()
    (full / "x").write_text("x")
    assert main(["score", str(root), "--out", str(full)]) == 2
    assert "not empty" in capsys.readouterr().err
    good = tmp_path / "scores"
    fast = tmp_path / "fast.yaml"
    fast.write_text("reliability:\n  n_splits: 100\n")
    assert main(["score", str(root), "--out", str(good), "--scoring", str(fast),
                 "--seed", "9"]) == 0
    assert set(read(good, "reliability.tsv")["seed"]) == {9}
    html = tmp_path / "r.html"
    assert main(["report", str(good), "--out", str(html)]) == 0
    text = html.read_text()
    assert "data:image/png;base64," in text and "Zvielli" in text and "http" not in \
        text.split("<body>")[1].split("References")[0].replace("https://", "")
    assert main(["report", str(good), "--out", str(html)]) == 2
    assert main(["report", str(root), "--out", str(tmp_path / "r2.html"), "--scoring",
                 str(fast)]) == 0


def test_provenance_lists_inputs_with_sha256_and_settings(cohort):
    root, out, _ = cohort
    prov = json.loads((Path(out) / "provenance.json").read_text())
    assert len(prov["Inputs"]) == len(list(root.rglob("*_events.tsv")))
    first = prov["Inputs"][0]
    assert len(first["sha256"]) == 64 and (root / first["path"]).is_file()
    assert prov["Settings"]["reliability"]["n_splits"] == 200


def test_written_cells_are_spreadsheet_safe_and_numbers_unrounded():
    frame = pd.DataFrame({"text": ["=1+1", "-neg", "@x", "+y", "ok"],
                          "value": [-0.1, 1 / 3, -12.5, float("nan"), 2.0]})
    lines = io.tsv_text(frame).splitlines()
    assert lines[1] == "'=1+1\t-0.1" and lines[2] == f"'-neg\t{1 / 3!r}"
    assert lines[3] == "'@x\t-12.5" and lines[4] == "'+y\tn/a"


EDITS = st.sampled_from(["truncate", "drop_line", "cell", "shuffle", "dup", "header", "blank",
                         "bytes"])


@hsettings(max_examples=40, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(EDITS, st.integers(0, 10 ** 6), st.text(max_size=6)),
                      min_size=1, max_size=3))
def test_fuzzed_files_are_scored_or_listed_never_a_crash(tmp_path_factory, edits):
    base = tmp_path_factory.mktemp("fuzz")
    rng = np.random.default_rng(0)
    write_run(base, "1", "pre", "dotprobe", dotprobe_rows(rng, bias_ms={}, n_per_cell=4,
                                                          n_fillers=4))
    victim = base / "sub-2" / "ses-pre" / "beh"
    path = write_run(base, "2", "pre", "dotprobe",
                     dotprobe_rows(rng, bias_ms={}, n_per_cell=4, n_fillers=4))
    data = path.read_bytes()
    for kind, k, text in edits:
        lines = data.split(b"\n")
        if kind == "truncate":
            data = data[: k % (len(data) + 1)]
        elif kind == "drop_line" and lines:
            del lines[k % len(lines)]
            data = b"\n".join(lines)
        elif kind == "cell" and len(lines) > 1:
            i = 1 + k % (len(lines) - 1)
            cells = lines[i].split(b"\t")
            cells[k % len(cells)] = text.encode("utf-8")
            lines[i] = b"\t".join(cells)
            data = b"\n".join(lines)
        elif kind == "shuffle" and len(lines) > 2:
            body = lines[1:]
            random.Random(k).shuffle(body)
            data = b"\n".join([lines[0], *body])
        elif kind == "dup" and len(lines) > 1:
            lines.insert(1 + k % (len(lines) - 1), lines[1 + k % (len(lines) - 1)])
            data = b"\n".join(lines)
        elif kind == "header":
            data = text.encode("utf-8") + b"\n" + data
        elif kind == "blank":
            data = data + b"\n\n"
        elif kind == "bytes":
            data = data[: k % (len(data) + 1)] + b"\xff\xfe" + data[k % (len(data) + 1):]
    path.write_bytes(data)
    ds = dataset.load(base, show_progress=False)
    run = ds.runs[ds.runs["participant_id"] == "sub-2"]
    listed = [e for e in ds.exclusions if e["participant_id"] == "sub-2"]
    assert (len(run) == 1 and run["scored"].iloc[0] == 1) or listed
    assert victim.is_dir()
    out = tmp_path_factory.mktemp("fuzzout")
    score.score(base, out, settings=fast_settings(20), show_progress=False)
