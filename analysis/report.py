"""``icb report``: one self-contained HTML file (plots embedded as PNG data URIs).

The sections come from the scorers (:mod:`analysis.scorer`): for each scorer in registry
order, for each label of its paradigms found in the score files, its sections (e.g. bias
before and after, reliability, change, mixed model, salience).  Then the parts every
label shares: every reliability estimate, data quality (exclusions, crashed runs,
warnings), and a methods paragraph written from the settings actually used, with
references.  The page is ``templates/report.html.j2`` rendered by jinja2 with autoescape
on: every text from the data is escaped.  This module names no paradigm.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pandas as pd

from analysis import io
from analysis.report_parts import Details, Items, Section, Text, table
from analysis.report_text import REFERENCES, methods_paragraph
from analysis.scorer import ReportData, registry, scorers

TEXT_COLUMNS = ("participant_id", "session", "task", "paradigm", "condition", "measure",
                "group", "reason", "note", "term", "composite", "items", "status", "path")


def _read(folder: Path, name: str) -> pd.DataFrame:
    """A score file (empty when absent), its key columns read as text."""
    path = folder / name
    if not path.is_file():
        return pd.DataFrame()
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
    return io.read_score_tsv(path, dtype={c: str for c in TEXT_COLUMNS if c in header})


def _group_map(prov: dict) -> dict:
    root = Path(prov.get("DataRoot", ""))
    table_, _ = io.read_participants(root) if root.is_dir() else (pd.DataFrame(), [])
    return dict(zip(table_.get("participant_id", []), table_.get("group", [])))


def _labels(prov: dict, scores: pd.DataFrame) -> dict[str, str]:
    """label -> paradigm: provenance.json's ``Tasks``; for older score folders, the labels
    of scores.tsv that name a paradigm."""
    if isinstance(prov.get("Tasks"), dict):
        return dict(prov["Tasks"])
    known = registry()
    found = scores["task"].dropna().unique() if "task" in scores else []
    return {label: label for label in found if label in known}


def _only(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    if frame.empty or "task" not in frame:
        return frame
    return frame[frame["task"] == label].reset_index(drop=True)


def _shared_sections(rel, excl, runs, warnings) -> list[Section]:
    quality = []
    if len(excl):
        kinds = excl.assign(kind=excl["reason"].astype(str).str.replace(
            r"(sub-\S+|\d+(\.\d+)?)", "#", regex=True).str.slice(0, 90))
        counts = kinds.groupby("kind").size().rename("n").reset_index()
        quality += [Text("Exclusions by kind:"), table(counts),
                    Details("Every exclusion", (table(excl),))]
    else:
        quality.append(Text("No exclusions."))
    crashed = runs[runs["crashed"] == 1] if len(runs) else runs
    quality += [Text("Crashed runs:"),
                table(crashed[["participant_id", "session", "task", "run", "status", "scored",
                               "note"]] if len(crashed) else None),
                Details(f"Warnings ({len(warnings)})",
                        (Items(tuple(str(w) for w in warnings[:500])),))]
    return [Section("Every reliability estimate", (Details("Reliability table", (table(rel),)),)),
            Section("Data quality", tuple(quality))]


def build(scores_dir: Path) -> str:
    """The report's HTML text from a folder of score files."""
    import jinja2

    folder = Path(scores_dir)
    where = folder / "provenance.json"
    try:
        prov = json.loads(where.read_text(encoding="utf-8"))
        settings = prov["Settings"]
        pre, post = settings["input"]["pre_session"], settings["input"]["post_session"]
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        from icb.errors import BadInput
        raise BadInput(f"{where}: not a provenance.json written by icb score ({type(exc).__name__}"
                       f": {str(exc)[:80]}); allowed: the folder icb score wrote (run icb score "
                       "again)") from None
    scores, rel, chg = (_read(folder, n) for n in ("scores.tsv", "reliability.tsv",
                                                   "change.tsv"))
    excl, runs = _read(folder, "exclusions.tsv"), _read(folder, "runs.tsv")
    groups = _group_map(prov)
    labels = _labels(prov, scores)
    sections, sentences = [], []
    for scorer in scorers():
        mine = {label: p for label, p in sorted(labels.items()) if p in scorer.paradigms}
        extra = {name: _read(folder, name) for name in scorer.tables}
        for label, paradigm in mine.items():
            data = ReportData(label=label, paradigm=paradigm, scores=_only(scores, label),
                              reliability=_only(rel, label), change=_only(chg, label),
                              tables={n: _only(t, label) for n, t in extra.items()},
                              groups=groups, settings=settings, pre=pre, post=post)
            sections += scorer.report(data)
        if mine:
            sentences.append(scorer.methods(settings, mine))
    # --- issue 14: "Can these data show individual change?" (analysis/report_change.py)
    from analysis import report_change
    sections += report_change.sections(folder, pre=pre,
                                       criterion=settings["change"]["rci_criterion"])
    sentences.append(report_change.methods(prov))
    # --- end issue 14
    from analysis import physio_report  # issue 15.3: heart rate to cues (no physio: none)
    sections += physio_report.sections(folder, pre=pre, post=post, groups=groups)
    warnings = prov.get("Warnings") or []
    sections += _shared_sections(rel, excl, runs, warnings)
    counts = prov["Counts"]
    cards = [(scores["participant_id"].nunique() if len(scores) else 0, "participants"),
             (counts["runs_scored"], "runs scored"), (counts["exclusions"], "exclusions"),
             (counts["crashed_runs_scored"], "crashed runs scored"),
             (", ".join(prov.get("Groups") or ["none"]), "groups")]
    notes = ["Simulated runs were included (--include-simulated)."] \
        if prov.get("IncludeSimulated") else []
    text = resources.files("analysis").joinpath("templates/report.html.j2").read_text(
        encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=False, lstrip_blocks=False)
    return env.from_string(text).render(
        data_root=str(prov.get("DataRoot")), created=str(prov.get("Created")),
        version=str(prov["Software"].get("icb", "?")), scores_dir=str(folder.resolve()),
        cards=[{"value": v, "label": k} for v, k in cards], notes=notes, sections=sections,
        methods=methods_paragraph(prov, [x for x in sentences if x]),
        references=sorted(REFERENCES + report_change.REFERENCES))  # issue 14: + references
