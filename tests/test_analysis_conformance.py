"""The analysis against the contract's reading rules (§3, §5) and the paradigm interface:
required columns and no others, labels and paradigms, unreadable roots, run numbers,
participants.tsv, salience gaps, the report's escaping, the packaged template."""

from __future__ import annotations

import configparser
import fnmatch
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import dataset, io, report, score, settings
from analysis.scorer import registry
from analysis_data import dotprobe_rows, make_cohort, rating_rows, write_run
from icb.cli import main

REPO = Path(__file__).resolve().parent.parent


def fast(n_splits: int = 30) -> dict:
    s = settings.defaults()
    s["reliability"]["n_splits"] = n_splits
    return s


def scored(root: Path, tmp: Path, s: dict | None = None, name: str = "out") -> Path:
    out = tmp / name
    out.mkdir()
    score.score(root, out, settings=s or fast(), show_progress=False)
    return out


def read(out: Path, name: str) -> pd.DataFrame:
    return io.read_score_tsv(out / name, dtype={"task": str, "reason": str})


def dp_root(tmp: Path, n: int = 3, *, drop: tuple[str, ...] = ()) -> Path:
    root = tmp / "data"
    rng = np.random.default_rng(4)
    for i in range(n):
        write_run(root, f"{i + 1}", "pre", "dotprobe",
                  dotprobe_rows(rng, bias_ms={}, n_per_cell=24), drop=drop)
    return root


# -- contract §3: the required columns and no others -----------------------------------------

def test_dotprobe_file_with_only_the_contract_columns_is_scored(tmp_path):
    root = dp_root(tmp_path, drop=("probe_identity",))
    header = next(root.rglob("*_events.tsv")).read_text().splitlines()[0].split("\t")
    contract = [c.name for c in registry()["dotprobe"].columns["dotprobe"]]
    assert header == contract  # exactly the contract's table
    out = scored(root, tmp_path)
    runs = read(out, "runs.tsv")
    assert runs["scored"].sum() == 3
    s = read(out, "scores.tsv")
    assert s[(s["measure"] == "bias_ms")]["value"].notna().sum() == 3 * 4


def test_extra_columns_are_kept_in_trials_tsv(tmp_path):
    root = dp_root(tmp_path)
    for path in root.rglob("*_events.tsv"):  # a lab's own column beside the station's
        lines = path.read_text().splitlines()
        path.write_text("\n".join([lines[0] + "\tlab_note"]
                                  + [ln + "\t=note" for ln in lines[1:]]) + "\n")
    out = scored(root, tmp_path)
    t = read(out, "trials.tsv")
    assert {"probe_identity", "lab_note"} <= set(t.columns)
    assert set(t["probe_identity"]) == {"dot"}
    assert set(t["lab_note"]) == {"'=note"}  # kept, and spreadsheet-safe


def test_file_lacking_a_required_column_is_listed_naming_it(tmp_path):
    root = dp_root(tmp_path, drop=("cue_duration_actual_ms",))
    rng = np.random.default_rng(1)
    write_run(root, "9", "pre", "dotprobe", dotprobe_rows(rng, bias_ms={}, n_per_cell=12))
    out = scored(root, tmp_path)
    ex = read(out, "exclusions.tsv")
    missing = ex[ex["reason"].str.contains("missing column")]
    assert len(missing) == 3
    assert all("cue_duration_actual_ms" in r for r in missing["reason"])
    assert read(out, "runs.tsv")["scored"].sum() == 1


def test_rating_file_needs_only_its_contract_columns(tmp_path):
    root = tmp_path / "data"
    rng = np.random.default_rng(0)
    for i in range(3):
        write_run(root, f"{i + 1}", "pre", "rating", rating_rows(rng, liking_salience=1.0),
                  drop=("baby_schema", "scale_min", "scale_max"))
    out = scored(root, tmp_path)
    s = read(out, "scores.tsv")
    assert set(s[s["condition"] == "infant_minus_adult"]["measure"]) >= {"liking_salience"}
    ex = read(out, "exclusions.tsv")
    # the baby-schema contrast selects on a column these files do not have: listed once
    schema = ex[ex["reason"].str.contains("high_minus_low_baby_schema")]
    assert len(schema) == 1 and "no column baby_schema" in schema["reason"].iloc[0]
    assert schema["participant_id"].isna().all() and (schema["task"] == "rating").all()


# -- labels and paradigms ---------------------------------------------------------------------

def test_two_labels_of_one_paradigm_are_scored_separately(tmp_path):
    root = dp_root(tmp_path)
    rng = np.random.default_rng(9)
    for i in range(3):
        write_run(root, f"{i + 1}", "pre", "opioiddotprobe",
                  dotprobe_rows(rng, bias_ms={}, n_per_cell=12), paradigm="dotprobe")
    s = fast()
    s["dotprobe"]["rt_min_ms"] = 100.0  # a paradigm's settings apply to every label of it
    out = scored(root, tmp_path, s)
    scores_ = read(out, "scores.tsv")
    assert set(scores_["task"]) == {"dotprobe", "opioiddotprobe"}
    assert scores_.groupby("task").size().nunique() == 1
    t = read(out, "trials.tsv")
    assert not t["exclusion_reason"].astype(str).str.contains("rt_below_200").any()
    rel = read(out, "reliability.tsv")
    assert set(rel["task"]) == {"dotprobe", "opioiddotprobe"}
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["Tasks"] == {"dotprobe": "dotprobe", "opioiddotprobe": "dotprobe"}


def test_paradigm_without_a_sidecar_from_label_setting_or_excluded(tmp_path):
    root = tmp_path / "data"
    rng = np.random.default_rng(2)
    for label in ("dotprobe", "opioiddotprobe", "labprobe"):
        write_run(root, "1", "pre", label, dotprobe_rows(rng, bias_ms={}, n_per_cell=12),
                  paradigm="dotprobe")
    for sidecar in root.rglob("*_events.json"):
        sidecar.unlink()
    ds = dataset.load(root, show_progress=False)  # defaults map opioiddotprobe
    assert ds.paradigms == {"dotprobe": "dotprobe", "opioiddotprobe": "dotprobe"}
    reason = [e["reason"] for e in ds.exclusions if e["task"] == "labprobe"]
    assert len(reason) == 1 and reason[0].startswith("unknown paradigm")
    assert "allowed: cryrating, dotprobe, freeview, keypress, rating" in reason[0]
    mapped = settings.merge({"input": {"paradigms": {"labprobe": "dotprobe"}}})
    ds = dataset.load(root, show_progress=False, settings=mapped)
    assert set(ds.paradigms) == {"dotprobe", "labprobe"}  # the setting replaces the default
    assert any(e["task"] == "opioiddotprobe" for e in ds.exclusions)


def test_paradigm_without_a_scorer_is_listed_never_a_traceback(tmp_path, capsys):
    root = dp_root(tmp_path, n=2)
    rng = np.random.default_rng(3)
    write_run(root, "1", "pre", "dotprobe", dotprobe_rows(rng, bias_ms={}, n_per_cell=12),
              run=2)
    path = next(root.rglob("*_run-2_events.json"))
    sidecar = json.loads(path.read_text())
    sidecar["Provenance"]["Paradigm"] = "labtask"  # a lab's new paradigm, no scorer yet
    path.write_text(json.dumps(sidecar))
    fast_yaml = tmp_path / "fast.yaml"
    fast_yaml.write_text("reliability: {n_splits: 20}\n")
    assert main(["score", str(root), "--out", str(tmp_path / "o"), "--scoring",
                 str(fast_yaml)]) == 0
    ex = read(tmp_path / "o", "exclusions.tsv")
    row = ex[ex["reason"].str.contains("labtask")]
    assert len(row) == 1 and "has no scorer" in row["reason"].iloc[0]
    assert int(row["run"].iloc[0]) == 2


# -- contract §5: unreadable roots, run numbers ------------------------------------------------

def test_root_where_every_run_is_unreadable_exits_0_listing_each(tmp_path, capsys):
    root = dp_root(tmp_path)
    files = sorted(root.rglob("*_events.tsv"))
    files[0].write_text("")
    files[1].write_bytes(b"\xff\xfe not text")
    files[2].write_text(files[2].read_text().replace("trial_index", "trial_idx", 1))
    out = tmp_path / "o"
    assert main(["score", str(root), "--out", str(out)]) == 0
    assert "Traceback" not in capsys.readouterr().err
    ex = read(out, "exclusions.tsv")
    assert sorted(ex["participant_id"]) == ["sub-1", "sub-2", "sub-3"]
    assert all(r.startswith("unreadable: ") for r in ex["reason"])
    assert read(out, "scores.tsv").empty and read(out, "trials.tsv").empty
    html = tmp_path / "r.html"
    assert main(["report", str(out), "--out", str(html)]) == 0
    assert "Data quality" in html.read_text()


def test_run_01_and_run_1_are_one_run_number_never_both_scored(tmp_path):
    root = dp_root(tmp_path, n=2)
    for stem in ("tsv", "json"):
        src = next(root.rglob(f"sub-1_ses-pre_task-dotprobe_run-1_events.{stem}"))
        shutil.copy(src, src.with_name(src.name.replace("run-1_", "run-01_")))
    out = scored(root, tmp_path)
    runs = read(out, "runs.tsv")
    one = runs[runs["participant_id"] == "sub-1"]
    assert len(one) == 2 and one["scored"].sum() == 1
    ex = read(out, "exclusions.tsv")
    assert ex["reason"].str.startswith("superseded by run-1").sum() == 1
    t = read(out, "trials.tsv")
    n_rows = len(next(root.rglob("sub-1_*_run-1_events.tsv")).read_text().splitlines()) - 1
    assert (t["participant_id"] == "sub-1").sum() == n_rows  # no trial counted twice


# -- participants.tsv, salience gaps ----------------------------------------------------------

def test_duplicate_ids_and_ragged_lines_are_warnings_naming_the_lines(tmp_path):
    """participants.tsv read strictly: a participant on two lines gets no group (never the
    one or the other by guess), a ragged line is not used, every other line is."""
    root = dp_root(tmp_path)
    ptsv = root / "participants.tsv"
    lines = ptsv.read_text().splitlines()
    ragged = lines[2] + "\textra\textra"
    ptsv.write_text("\n".join([lines[0], lines[1], ragged] + lines[3:]
                              + [lines[1].split("\t")[0] + "\tcontrol"]) + "\n")
    out = scored(root, tmp_path)
    warnings = json.loads((out / "provenance.json").read_text())["Warnings"]
    dup = [w for w in warnings if "appears on lines" in w]
    assert dup == [f"participants.tsv: participant_id sub-1 appears on lines 2 and "
                   f"{len(lines) + 1}; no group is used for it (fix the file)"]
    assert "participants.tsv, line 3: 4 field(s), the header has 2; the line is not used " \
           "(fix the file)" in warnings
    groups = dict(io.read_participants(root)[0].values.tolist())
    assert "sub-1" not in groups and lines[2].split("\t")[0] not in groups
    assert all(groups[line.split("\t")[0]] == line.split("\t")[1] for line in lines[3:])


def test_salience_dropped_for_missing_input_is_an_exclusion_row(tmp_path):
    root = tmp_path / "data"
    rng = np.random.default_rng(5)
    for i in range(3):
        rows = rating_rows(rng, liking_salience=1.0)
        if i == 0:  # participant 1 saw no adult faces
            rows = [r for r in rows if r["category"] != "adult"]
        write_run(root, f"{i + 1}", "pre", "rating", rows)
    out = scored(root, tmp_path)
    ex = read(out, "exclusions.tsv")
    gap = ex[ex["reason"].str.contains("infant_minus_adult")]
    assert gap["participant_id"].tolist() == ["sub-1"]
    reason = gap["reason"].iloc[0]
    assert "no rows on side b (category adult)" in reason and "liking_salience" in reason
    assert int(gap["run"].iloc[0]) == 1 and gap["task"].iloc[0] == "rating"
    s = read(out, "scores.tsv")
    assert sorted(s[s["condition"] == "infant_minus_adult"]["participant_id"].unique()) == \
        ["sub-2", "sub-3"]


def test_itrak_variability_setting_changes_only_that_measure(tmp_path):
    root = dp_root(tmp_path)
    a = scored(root, tmp_path, name="a")
    s = fast()
    s["dotprobe"]["tlbs_variability"] = "itrak"
    b = scored(root, tmp_path, s, name="b")
    sa, sb = read(a, "scores.tsv"), read(b, "scores.tsv")
    var = sa["measure"] == "tlbs_variability_ms"
    pd.testing.assert_frame_equal(sa[~var], sb[~var])
    both = sa.loc[var, "value"].notna()
    assert both.sum() >= 6
    assert not np.allclose(sa.loc[var, "value"][both], sb.loc[var, "value"][both])


# -- the report ------------------------------------------------------------------------------

def test_report_escapes_data_text_and_never_parses_mathtext(tmp_path):
    root = tmp_path / "data"
    make_cohort(root, n_per_group=3, tasks=("dotprobe",), seed=2, n_per_cell=12)
    ptsv = root / "participants.tsv"
    ptsv.write_text(ptsv.read_text().replace("MORE", r"$\foo$").replace("control", "<b>x</b>"))
    for path in root.rglob("*_events.tsv"):
        path.write_text(path.read_text().replace("infant_distress-infant_neutral",
                                                 "<script>alert(1)</script>$\\bar$"))
    out = scored(root, tmp_path)
    html = report.build(out)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "data:image/png;base64," in html


def test_report_template_is_installed_with_the_package():
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    patterns = cfg["options.package_data"]["analysis"].split()
    template = "templates/report.html.j2"
    assert (REPO / "analysis" / template).is_file()
    assert any(fnmatch.fnmatch(template, p) for p in patterns)


@pytest.mark.parametrize("text, needle", [
    ("input:\n  paradigms: {labprobe: dotprob}\n", "did you mean 'dotprobe'"),
    ("dotprobe:\n  tlbs_variability: itrac\n", "allowed: one of zvielli, itrak"),
])
def test_bad_scoring_config_exits_2_with_file_key_and_allowed(tmp_path, capsys, text, needle):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    assert main(["score", str(tmp_path), "--out", str(tmp_path / "o"), "--scoring",
                 str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and needle in err and "Traceback" not in err


# -- a paradigm brings its scorer: one module in the registry's folder ------------------------

LABTASK_SCORER = '''
from analysis.report_parts import Section, table
from analysis.scorer import SCORE_COLUMNS, Scored, Scorer
from icb.columns import COMMON_HEAD, Column

COLUMNS = COMMON_HEAD + (Column("dwell_ms", "Dwell", "", "float"),)


def score(job):
    t = job.trials.assign(excluded=0, exclusion_reason=None)
    s = t.groupby(["participant_id", "session"])["dwell_ms"].mean().rename("value")
    s = s.reset_index().assign(task=job.label, condition="all", measure="dwell_ms")
    return Scored(trials=t, scores=s[SCORE_COLUMNS], change=s[SCORE_COLUMNS])


def report(data):
    return [Section(f"Lab task (task-{data.label})", (table(data.scores),))]


def methods(settings, labels):
    return "Lab task: mean dwell per participant and session."


SCORER = Scorer("lab task", ("labtask",), {"labtask": COLUMNS}, score, report, methods)
'''


def test_a_new_paradigm_brings_its_scorer_as_one_module(tmp_path, monkeypatch):
    import sys

    import analysis.scorers

    folder = tmp_path / "more_scorers"
    folder.mkdir()
    (folder / "labtask.py").write_text(LABTASK_SCORER)
    monkeypatch.setattr(analysis.scorers, "__path__", [*analysis.scorers.__path__, str(folder)])
    try:
        assert registry()["labtask"].name == "lab task"
        root = tmp_path / "data"
        for pid, session, dwell in (("1", "pre", 100.0), ("1", "post", 160.0),
                                    ("2", "pre", 120.0), ("2", "post", 150.0)):
            rows = [{"onset": float(i), "duration": 1.0, "trial_index": i, "phase": "test",
                     "block": 1, "dwell_ms": dwell + i} for i in (1, 2)]
            write_run(root, pid, session, "labtask", rows)
        out = scored(root, tmp_path)
        s = read(out, "scores.tsv")
        assert s[s["participant_id"] == "sub-1"]["value"].tolist() == [161.5, 101.5]
        c = read(out, "change.tsv")
        assert c["mean_change"].tolist() == [45.0] and c["task"].tolist() == ["labtask"]
        html = report.build(out)
        assert "Lab task (task-labtask)" in html and "mean dwell" in html
    finally:
        sys.modules.pop("analysis.scorers.labtask", None)


def test_change_without_any_reliability_estimate(tmp_path):
    root = tmp_path / "data"
    rng = np.random.default_rng(6)
    for pid in ("1", "2", "3"):
        for session in ("pre", "post"):
            write_run(root, pid, session, "rating", rating_rows(rng, liking_salience=1.0))
    s = fast()
    s["reliability"]["ratings"] = False  # no split-half at all: rci.tsv has no r_xx
    out = scored(root, tmp_path, s)
    assert read(out, "reliability.tsv").empty
    rci = read(out, "rci.tsv")
    assert len(rci) and rci["rci"].isna().all()
    assert len(read(out, "change.tsv"))
