"""Scoring settings: declared once with ``icb.params.Param``, loaded from a scoring config.

Every step of the scoring pipeline is a setting here; the defaults are those of the
contract (section 4) and of ``configs/scoring.yaml`` (a test holds the two equal).
Sections are the shared ones (``input``, ``reliability``, ``change``, ``mixed_model``,
``latent``, ``physio``: heart rate to cues of every label)
and one per paradigm (``dotprobe``, ``rating``, ``keypress``, ``cryrating``,
``freeview``): a paradigm's
settings apply to every label of it.  A scoring file may set any subset of the keys; an
unknown key, a value of the wrong type or a value outside its allowed set is bad input
(exit status 2), reported with the file, the key, the value and what is allowed (with a
did-you-mean for misspelt keys and values).

>>> s = defaults()
>>> s["dotprobe"]["rt_min_ms"], s["reliability"]["n_splits"], s["dotprobe"]["tlbs_variability"]
(200.0, 5000, 'zvielli')
>>> s["rating"]["contrasts"] == s["keypress"]["contrasts"]
True
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from pathlib import Path

from analysis.bias import MEASURES as BIAS_MEASURES
from icb.bids import LABEL_RE
from icb.errors import BadInput
from icb.params import Param, did_you_mean


class ScoringConfigError(BadInput):
    """A scoring config that does not match the declared settings."""


SELECTOR_COLUMNS = ("category", "valence", "baby_schema", "stim_id")
CONTRAST_SHAPE = ("a mapping name -> {a: {column: [values]}, b: {column: [values]}} with "
                  "columns " + ", ".join(SELECTOR_COLUMNS))


@dataclass(frozen=True)
class ContrastsParam(Param):
    """Salience contrasts: name -> {a: selector, b: selector}; selector = column -> values."""

    def allowed(self) -> str:
        return CONTRAST_SHAPE

    def check(self, value):
        if not isinstance(value, dict):
            return value, [f"bad value {value!r}; allowed: {CONTRAST_SHAPE}"]
        for name, spec in value.items():
            if not isinstance(name, str) or not isinstance(spec, dict) or set(spec) != {"a", "b"}:
                return value, [f"{name}: bad value {spec!r}; allowed: {CONTRAST_SHAPE}"]
            for side in ("a", "b"):
                sel = spec[side]
                if not isinstance(sel, dict) or not sel:
                    return value, [f"{name}.{side}: bad value {sel!r}; allowed: {CONTRAST_SHAPE}"]
                for col, vals in sel.items():
                    if col not in SELECTOR_COLUMNS:
                        return value, [f"{name}.{side}: column {col!r} is not allowed; allowed: "
                                       f"{', '.join(SELECTOR_COLUMNS)}"
                                       f"{did_you_mean(str(col), list(SELECTOR_COLUMNS))}"]
                    if not isinstance(vals, list) or not vals:
                        return value, [f"{name}.{side}.{col}: bad value {vals!r}; allowed: a "
                                       "non-empty list of values"]
        return value, []


@dataclass(frozen=True)
class ParadigmMapParam(Param):
    """Labels -> paradigms, for runs whose sidecar does not say (contract §3)."""

    def allowed(self) -> str:
        from analysis.scorer import registry
        return ("a mapping label -> paradigm (labels: letters and digits; paradigms: one of "
                + ", ".join(sorted(registry())) + ")")

    def check(self, value):
        from analysis.scorer import registry
        if not isinstance(value, dict):
            return value, [f"bad value {value!r}; allowed: {self.allowed()}"]
        known = sorted(registry())
        for label, paradigm in value.items():
            if not isinstance(label, str) or not LABEL_RE.match(label):
                return value, [f"bad label {label!r}; allowed: {self.allowed()}"]
            if paradigm not in known:
                return value, [f"{label}: bad paradigm {paradigm!r}; allowed: one of "
                               f"{', '.join(known)}{did_you_mean(str(paradigm), known)}"]
        return value, []


@dataclass(frozen=True)
class WindowsParam(Param):
    """Time windows: a non-empty list of [start, end] pairs of numbers, start < end."""

    def allowed(self) -> str:
        return "a non-empty list of [start, end] pairs of numbers (s) with start < end"

    def check(self, value):
        ok = isinstance(value, list) and bool(value) and all(
            isinstance(w, list) and len(w) == 2 and all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
                for x in w) and w[0] < w[1] for w in value)
        if not ok:
            return value, [f"bad value {value!r}; allowed: {self.allowed()}"]
        return [[float(w[0]), float(w[1])] for w in value], []


def _contrast(a: dict, b: dict) -> dict:
    return {"a": a, "b": b}


# The face contrasts of the rating and key-press paradigms (one constant, both sections).
FACE_CONTRASTS = {
    "infant_minus_adult": _contrast({"category": ["infant"]}, {"category": ["adult"]}),
    "distress_minus_neutral": _contrast({"category": ["infant"], "valence": ["distress"]},
                                        {"category": ["infant"], "valence": ["neutral"]}),
    "high_minus_low_baby_schema": _contrast({"baby_schema": [4, 5]}, {"baby_schema": [1, 2]}),
}
CRY_CONTRASTS = {
    "infant_minus_rotated": _contrast({"category": ["infant"]}, {"category": ["rotated"]}),
    "high_minus_low_distress": _contrast({"category": ["infant"], "valence": ["high_distress"]},
                                         {"category": ["infant"], "valence": ["low_distress"]}),
}
TEST_PHASE = Param("test_phase", "str", "test", "only rows with phase == this are scored")


def _contrasts(default: dict) -> ContrastsParam:
    return ContrastsParam("contrasts", "mapping", default,
                          "salience contrasts: mean over side a rows - mean over side b rows")


DECLARED: dict[str, tuple[Param, ...]] = {
    "input": (
        Param("pre_session", "str", "pre", "session label of the baseline"),
        Param("post_session", "str", "post", "session label after the intervention"),
        ParadigmMapParam("paradigms", "mapping", {"opioiddotprobe": "dotprobe"},
                         "label -> paradigm for runs whose sidecar has no Provenance.Paradigm "
                         "(a label that names a paradigm needs no entry)"),
    ),
    "dotprobe": (
        TEST_PHASE,
        Param("filler_trial_type", "str", "filler", "trial_type of neutral-neutral fillers"),
        Param("accuracy_min", "float", 0.80, "participant x session accuracy cut-off",
              minimum=0.0, maximum=1.0),
        Param("drop_errors", "bool", True, "drop error trials"),
        Param("rt_min_ms", "float", 200.0, "drop rt_ms below this", minimum=0.0, unit="ms"),
        Param("rt_max_ms", "float", 2000.0, "drop rt_ms above this", minimum=0.0, unit="ms"),
        Param("outlier_method", "str", "mad", "relative outlier rule",
              choices=("mad", "sd", "none")),
        Param("outlier_k", "float", 2.5, "outlier distance in MADs or SDs", minimum=0.0),
        Param("min_trials_per_cell", "int", 10, "valid trials needed per congruency",
              minimum=2),
        Param("tlbs_method", "str", "nearest", "TL-BS pairing", choices=("nearest", "weighted")),
        Param("tlbs_window", "int", 5, "nearest method: largest distance in positions",
              minimum=1),
        Param("tlbs_variability", "str", "zvielli", "TL-BS variability formula",
              choices=("zvielli", "itrak")),
        Param("abv_bin_size", "int", 10, "trials per bin of attention-bias variability",
              minimum=2),
    ),
    "reliability": (
        Param("n_splits", "int", 5000, "random splits", minimum=10),
        Param("seed", "int", 20240601, "seed of the splits", minimum=0),
        Param("chunk_splits", "int", 250, "splits computed at once", minimum=1),
        Param("threads", "int", 1, "worker threads over chunks", minimum=1, maximum=64),
        Param("ratings", "bool", True, "also the split-half of every salience contrast"),
    ),
    "rating": (TEST_PHASE, _contrasts(FACE_CONTRASTS)),
    "keypress": (TEST_PHASE, _contrasts(FACE_CONTRASTS)),
    "cryrating": (
        TEST_PHASE,
        Param("aversiveness_scales", "list[str]", ["urgent", "aversive", "distressed"],
              "composite = mean of these scales", min_length=1),
        _contrasts(CRY_CONTRASTS),
    ),
    "freeview": (
        TEST_PHASE,
        Param("min_valid_sample_prop", "float", 0.5, "a trial with a smaller proportion of "
              "valid gaze samples (x and y present) is excluded", minimum=0.0, maximum=1.0),
        Param("min_valid_trial_prop", "float", 0.5, "a participant x session with a smaller "
              "proportion of valid test trials is excluded", minimum=0.0, maximum=1.0),
        Param("min_fixation_ms", "float", 100.0, "a first fixation is a run of consecutive "
              "valid samples in one AOI lasting at least this", minimum=0.0, unit="ms"),
        Param("first_fixation_after_ms", "float", 100.0, "first fixations are sought among "
              "the samples from this long after display onset", minimum=0.0, unit="ms"),
        Param("min_trials_per_cell", "int", 10, "valid trials a condition needs for its "
              "scores", minimum=2),
        Param("bin_ms", "float", 500.0, "bin width of the dwell-share time course",
              minimum=1.0, unit="ms"),
    ),
    "change": (
        Param("dotprobe_measures", "list[str]", ["bias_ms"],
              "dot-probe measures in change.tsv / rci.tsv", choices=tuple(BIAS_MEASURES),
              min_length=1),
        Param("rci_criterion", "float", 1.96, "|RCI| above this = reliable change",
              minimum=0.0),
    ),
    "mixed_model": (
        Param("enabled", "bool", True, "fit when participants.tsv has two or more groups"),
        Param("max_trials", "int", 60000, "per condition; above it a seeded subset",
              minimum=100),
        Param("max_iterations", "int", 200, "optimiser iterations", minimum=1),
    ),
    # --- issue 14: latent reliability and retest (contract §7; analysis/latent.py,
    # analysis/retest.py); the bootstrap and the retest subsets use reliability.seed
    "latent": (
        Param("n_boot", "int", 2000, "bootstrap resamples of participants (reliability "
              "interval of reliability_latent.tsv)", minimum=100),
        Param("retest_model", "bool", True, "fit the trial-level mixed model of r_latent "
              "(retest.tsv)"),
        Param("retest_max_participants", "int", 60, "per fit; above it a seeded random "
              "subset of participants", minimum=6),
        Param("retest_max_iterations", "int", 50, "iterations and function evaluations of "
              "the statsmodels fit (it starts at the REML optimum)", minimum=1),
    ),
    # --- end issue 14
    # --- issue 15.3: heart rate to cues (contract section 8; analysis/physio.py)
    "physio": (
        TEST_PHASE,
        Param("baseline_window_s", "list[float]", [-1.0, 0.0], "baseline window (start, end) "
              "around cue onset", min_length=2, max_length=2, unit="s"),
        WindowsParam("response_windows_s", "list", [[0.0, 2.0], [2.0, 4.0], [4.0, 6.0]],
                     "response windows (start, end) around cue onset: HR change = mean HR "
                     "in the window - mean HR in the baseline window", unit="s"),
        Param("timecourse_range_s", "list[float]", [-1.0, 6.0], "physio_timecourse.tsv: "
              "(first bin start, last bin end) around cue onset", min_length=2,
              max_length=2, unit="s"),
        Param("timecourse_bin_s", "float", 0.5, "bin width of physio_timecourse.tsv",
              minimum=0.01, unit="s"),
        Param("min_rsa_cue_s", "float", 20.0, "cues at least this long also get RSA "
              "(HF-HRV, ln ms^2) over the cue", minimum=5.0, unit="s"),
        Param("min_valid_cues", "int", 3, "valid cues a cue class needs for its scores "
              "(fewer: n/a, listed in exclusions.tsv)", minimum=1),
        Param("rr_min_ms", "float", 300.0, "shortest physiological R-R interval (200 bpm)",
              minimum=100.0, unit="ms"),
        Param("rr_max_ms", "float", 2000.0, "longest physiological R-R interval (30 bpm)",
              minimum=500.0, unit="ms"),
        Param("min_beat_coverage", "float", 0.5, "a cue is excluded when valid R-R intervals "
              "cover less than this part of its baseline or a response window",
              minimum=0.0, maximum=1.0),
        Param("max_gap_samples", "float", 3.0, "neighbouring samples further apart than this "
              "many nominal sample periods are a signal gap (not interpolated)",
              minimum=1.0),
        Param("min_segment_s", "float", 5.0, "a stretch of signal between gaps shorter than "
              "this is not searched for R-peaks (counted as gap)", minimum=1.0, unit="s"),
        Param("rpeak_method", "str", "neurokit", "NeuroKit2 R-peak detector",
              choices=("neurokit", "pantompkins1985", "hamilton2002", "elgendi2010",
                       "engzeemod2012")),
    ),
    # --- end issue 15.3
}


def defaults() -> dict:
    """The declared defaults as a nested dict (a fresh copy)."""
    return {section: {p.name: copy.deepcopy(p.default) for p in params}
            for section, params in DECLARED.items()}


def _check(param: Param, value) -> tuple[object, list[str]]:
    converted, problems = param.check(value)
    if not problems and param.type == "float" and not math.isfinite(converted):
        problems = [f"bad value {value!r}; allowed: a finite number"]
    if problems and param.choices and isinstance(value, str):
        problems = [p + did_you_mean(value, [str(c) for c in param.choices]) for p in problems]
    return converted, problems


def _unknown(what: str, name, known: list, allowed: list) -> str:
    """``what`` (e.g. ``"<source>: x: unknown key"``), the closest of ``known`` to ``name``
    and the ``allowed`` list."""
    return f"{what}{did_you_mean(str(name), known)}; allowed: {', '.join(allowed)}"


def merge(overrides: dict | None, *, source: str = "scoring config") -> dict:
    """Defaults updated with ``overrides``; every problem is reported at once.

    >>> merge({"dotprobe": {"rt_min_ms": 150}})["dotprobe"]["rt_min_ms"]
    150.0
    >>> merge({"dotprobe": {"rt_mni_ms": 150}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    analysis.settings.ScoringConfigError: scoring config: dotprobe.rt_mni_ms: unknown key (did you mean 'rt_min_ms'?); allowed: ...
    """
    settings = defaults()
    problems: list[str] = []
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict):
        raise ScoringConfigError(f"{source}: the file must hold a mapping of sections "
                                 f"({', '.join(DECLARED)}), not {type(overrides).__name__}")
    for section, keys in overrides.items():
        if section not in DECLARED:
            problems.append(_unknown(f"{source}: {section}: unknown section", section,
                                     list(DECLARED), list(DECLARED)))
            continue
        if keys is None:
            continue
        if not isinstance(keys, dict):
            problems.append(f"{source}: {section}: must be a mapping of keys")
            continue
        declared = {p.name: p for p in DECLARED[section]}
        for key, value in keys.items():
            if key not in declared:
                problems.append(_unknown(f"{source}: {section}.{key}: unknown key", key,
                                         list(declared), sorted(declared)))
                continue
            converted, errs = _check(declared[key], value)
            problems += [f"{source}: {section}.{key}: {e}" for e in errs]
            if not errs:
                settings[section][key] = converted
    dp = settings["dotprobe"]
    if dp["rt_min_ms"] >= dp["rt_max_ms"]:
        problems.append(f"{source}: dotprobe.rt_min_ms ({dp['rt_min_ms']}) must be below "
                        f"dotprobe.rt_max_ms ({dp['rt_max_ms']})")
    ph = settings["physio"]  # issue 15.3
    for key, (lo, hi) in (("baseline_window_s", ph["baseline_window_s"]),
                          ("timecourse_range_s", ph["timecourse_range_s"]),
                          ("rr_min_ms/rr_max_ms", (ph["rr_min_ms"], ph["rr_max_ms"]))):
        if not lo < hi:
            problems.append(f"{source}: physio.{key}: {lo!r} must be below {hi!r}")
    if problems:
        message = problems[0] if len(problems) == 1 else f"{len(problems)} problems in {source}"
        raise ScoringConfigError(message, problems)
    return settings


def load(path: str | Path | None) -> dict:
    """Settings from a YAML file (``None``: the defaults).  ``yaml.safe_load`` only."""
    if path is None:
        return defaults()
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ScoringConfigError(f"{path}: scoring config not found (--scoring FILE)")
    from icb.safe_yaml import MAX_CONFIG_BYTES, bounded_safe_load

    def refused(message: str) -> ScoringConfigError:
        return ScoringConfigError(f"{path}: {message}")
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise refused(f"{path.stat().st_size} bytes; allowed: at most {MAX_CONFIG_BYTES}")
        data = bounded_safe_load(path.read_text(encoding="utf-8"), refused)
    except OSError as exc:
        raise refused(f"cannot read the scoring config ({exc.strerror or exc})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScoringConfigError(f"{path}: not valid YAML: {exc}") from None
    return merge(data or {}, source=str(path))
