"""Planted-effect cohorts written with the project's own EventsWriter (tests of ``analysis``).

``make_cohort`` writes pre and post runs of every task for two groups with
known effects and returns the truth.  fsync is switched off while writing
(the writer's format and files are unchanged; only durability is skipped).

The headers are the analysis's required columns (its scorers' declarations) plus the
columns the station writes besides (``EXTRA``), so that the tests do not depend on the
station's own declarations (the analysis never imports ``tasks``).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np

from analysis.scorer import registry
from icb.columns import Column
from tasks.core.writer import EventsWriter

PAIRS = ("infant_distress-infant_neutral", "infant_neutral-adult_neutral")
DURATIONS = (200.0, 2000.0)
CONDITIONS = [f"{p}@{int(d)}" for p in PAIRS for d in DURATIONS]
SCALES = {"liking": (-4.0, 4.0), "cuteness": (1.0, 7.0), "caretaking": (1.0, 7.0)}
CRY_SCALES = ("urgent", "aversive", "distressed", "respond")
FACES = [("infant", "distress", None), ("infant", "neutral", 1), ("infant", "neutral", 2),
         ("infant", "neutral", 4), ("infant", "neutral", 5), ("adult", "neutral", None),
         ("adult", "distress", None)]
DEFAULT_BIAS = {("MORE", "pre"): 30.0, ("MORE", "post"): 10.0,
                ("control", "pre"): 30.0, ("control", "post"): 30.0}
DEFAULT_LIKING_SALIENCE = {("MORE", "pre"): 1.0, ("MORE", "post"): 2.0,
                           ("control", "pre"): 1.0, ("control", "post"): 1.0}


# columns the station writes that the analysis does not require: (after this column, Column)
EXTRA = {
    "dotprobe": [("stim_right", Column("probe_identity", "Probe identity", "dot, colon or dots",
                                       levels={"dot": "dot", "colon": ":", "dots": ".."}))],
    "rating": [("valence", Column("baby_schema", "Baby schema", "1-5", "int", nullable=True)),
               ("scale", Column("scale_min", "Scale minimum", "", "float")),
               ("scale_min", Column("scale_max", "Scale maximum", "", "float"))],
    "keypress": [("valence", Column("baby_schema", "Baby schema", "1-5", "int", nullable=True)),
                 (None, Column("response_class", "Response class", "")),
                 (None, Column("press_log", "Press log", "", nullable=True))],
}
EXTRA["cryrating"] = EXTRA["rating"] + [
    (None, Column("audio_onset_requested_s", "Requested onset", "", "float", units="s")),
    (None, Column("audio_onset_reported_s", "Reported onset", "", "float", units="s")),
    (None, Column("audio_onset_error_ms", "Onset error", "", "float", units="ms"))]


def header(paradigm: str, *, drop: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """The analysis's required columns of ``paradigm`` with the station's extras."""
    cols = list(registry()[paradigm].columns[paradigm])
    for after, col in EXTRA.get(paradigm, []):
        names = [c.name for c in cols]
        cols.insert(names.index(after) + 1 if after else len(cols), col)
    return tuple(c for c in cols if c.name not in drop)


@contextmanager
def no_fsync():
    with mock.patch("os.fsync", lambda fd: None):
        yield


def dotprobe_rows(rng, *, bias_ms: dict, n_per_cell: int = 24, n_fillers: int = 64,
                  base_ms: float = 550.0, noise_ms: float = 70.0, error_rate: float = 0.03):
    """Practice + shuffled test trials; ``bias_ms`` maps condition -> planted bias."""
    test = []
    for pair in PAIRS:
        for dur in DURATIONS:
            cond = f"{pair}@{int(dur)}"
            for cong in [1] * n_per_cell + [0] * n_per_cell:
                test.append((pair, dur, cong, cond))
    test += [("filler", DURATIONS[i % 2], None, None) for i in range(n_fillers)]
    order = rng.permutation(len(test))
    rows = []
    plan = [("practice", 0, ("filler", 200.0, None, None))] * 4 + \
        [("test", 1 + i // 128, test[j]) for i, j in enumerate(order)]
    for i, (phase, block, (pair, dur, cong, cond)) in enumerate(plan, start=1):
        b = bias_ms.get(cond, 0.0) if cond else 0.0
        rt = base_ms + noise_ms * rng.standard_normal() + (b / 2 if cong == 0 else -b / 2 if
                                                           cong == 1 else 0.0)
        target = str(rng.choice(["left", "right"])) if cong is not None else None
        probe = (target if cong == 1 else ("right" if target == "left" else "left")) \
            if cong is not None else str(rng.choice(["left", "right"]))
        correct = int(rng.random() > error_rate)
        response = probe if correct else ("right" if probe == "left" else "left")
        rows.append({"onset": 2.0 * i, "duration": rt / 1000, "trial_index": i, "phase": phase,
                     "block": block, "trial_type": pair, "cue_duration_ms": dur,
                     "cue_duration_actual_ms": dur + 0.3, "dropped_frames": int(rng.random() < .01),
                     "target_side": target, "probe_side": probe, "congruent": cong,
                     "stim_left": "inf01", "stim_right": "adu02", "probe_identity": "dot",
                     "response": response, "correct": correct, "rt_ms": float(rt)})
    return rows


def rating_rows(rng, *, liking_salience: float, n_rep: int = 2):
    rows, i = [], 0
    person = rng.normal(0, 0.5)
    for rep in range(n_rep):
        for f, (cat, val, schema) in enumerate(FACES):
            for scale, (lo, hi) in SCALES.items():
                i += 1
                mid = (lo + hi) / 2
                shift = liking_salience / 2 if cat == "infant" else -liking_salience / 2
                value = mid + person + shift + rng.normal(0, 0.8)
                rows.append({"onset": 3.0 * i, "duration": 2.0, "trial_index": i,
                             "phase": "test", "block": 1, "stim_id": f"{cat}{f:02d}",
                             "category": cat, "valence": val, "baby_schema": schema,
                             "scale": scale, "scale_min": lo, "scale_max": hi,
                             "rating": float(np.clip(value, lo, hi)),
                             "rating_rt_ms": float(900 + rng.normal(0, 100))})
    return rows


def keypress_rows(rng, *, infant_extra_ms: float = 800.0):
    rows = []
    for i, (cat, val, schema) in enumerate(FACES * 2, start=1):
        extra = infant_extra_ms if cat == "infant" else -200.0
        view = max(0.0, 4000.0 + extra + rng.normal(0, 300))
        n_inc = int(max(extra, 0) // 100 + rng.integers(0, 3))
        n_dec = int(max(-extra, 0) // 100 + rng.integers(0, 3))
        rows.append({"onset": 6.0 * i, "duration": view / 1000, "trial_index": i,
                     "phase": "test", "block": 1, "stim_id": f"{cat}{i:02d}", "category": cat,
                     "valence": val, "baby_schema": schema, "default_ms": 4000.0,
                     "viewing_time_ms": view, "n_increase": n_inc, "n_decrease": n_dec,
                     "response_class": "mixed" if n_inc and n_dec else
                     "increase" if n_inc else "decrease" if n_dec else "default",
                     "press_log": "x@120+;z@300+" if n_inc else None})
    return rows


def cry_rows(rng):
    rows, i = [], 0
    person = rng.normal(0, 0.7)
    sounds = [("infant", "high_distress"), ("infant", "low_distress"), ("rotated", "high_distress")]
    for s, (cat, val) in enumerate(sounds * 3):
        level = {"high_distress": 5.0, "low_distress": 3.5}[val] - (1.0 if cat == "rotated" else 0)
        for scale in CRY_SCALES:
            i += 1
            rows.append({"onset": 4.0 * i, "duration": 2.0, "trial_index": i, "phase": "test",
                         "block": 1, "stim_id": f"cry{s:02d}", "category": cat, "valence": val,
                         "baby_schema": None, "scale": scale, "scale_min": 1.0, "scale_max": 7.0,
                         "rating": float(np.clip(level + person + rng.normal(0, 0.6), 1, 7)),
                         "rating_rt_ms": 1000.0, "audio_onset_requested_s": 4.0 * i,
                         "audio_onset_reported_s": 4.0 * i + 0.002,
                         "audio_onset_error_ms": 2.0})
    return rows


def write_run(root: Path, participant: str, session: str, task: str, rows: list[dict], *,
              group: str | None = None, status: str = "completed", simulated=False,
              run: int | None = None, paradigm: str | None = None,
              drop: tuple[str, ...] = ()) -> Path:
    """One run of label ``task`` (paradigm ``paradigm``, default the label), written by the
    EventsWriter; ``drop`` leaves columns out of the header (and the rows)."""
    paradigm = paradigm or task
    with no_fsync():
        w = EventsWriter.create(root, participant=participant, session=session, task=task,
                                columns=header(paradigm, drop=drop),
                                provenance={"Simulated": simulated, "Paradigm": paradigm},
                                group=group, simulated=bool(simulated), run=run)
        for row in rows:
            w.append({k: v for k, v in row.items() if k not in drop})
        if status == "in_progress":
            w.close()
        else:
            w.finish(status)
    return w.tsv_path


def make_cohort(root: Path, *, n_per_group: int = 20, groups=("MORE", "control"),
                bias=DEFAULT_BIAS, liking_salience=DEFAULT_LIKING_SALIENCE, seed: int = 0,
                tasks=("dotprobe", "rating", "keypress", "cryrating"), simulated=False,
                bias_sd_ms: float = 15.0, n_per_cell: int = 24) -> dict:
    """Write the cohort; returns {(pid, session): planted bias by condition} etc."""
    rng = np.random.default_rng(seed)
    truth = {"bias": {}, "group": {}}
    k = 0
    for group in groups:
        for _ in range(n_per_group):
            k += 1
            pid = f"{k:03d}"
            truth["group"][f"sub-{pid}"] = group
            person = rng.normal(0, bias_sd_ms)
            for session in ("pre", "post"):
                b = {c: bias[(group, session)] + person for c in CONDITIONS}
                truth["bias"][(f"sub-{pid}", session)] = b
                if "dotprobe" in tasks:
                    write_run(root, pid, session, "dotprobe",
                              dotprobe_rows(rng, bias_ms=b, n_per_cell=n_per_cell),
                              group=group, simulated=simulated)
                if "rating" in tasks:
                    write_run(root, pid, session, "rating",
                              rating_rows(rng, liking_salience=liking_salience[(group, session)]),
                              group=group, simulated=simulated)
                if "keypress" in tasks:
                    write_run(root, pid, session, "keypress", keypress_rows(rng), group=group,
                              simulated=simulated)
                if "cryrating" in tasks:
                    write_run(root, pid, session, "cryrating", cry_rows(rng), group=group,
                              simulated=simulated)
    return truth
