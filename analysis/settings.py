"""Scoring settings: declared defaults, loaded from ``configs/scoring.yaml``.

Every step of the scoring pipeline is a setting here; the defaults are those of
the contract (section 4).  A scoring file may set any subset of the keys; an
unknown key, a value of the wrong type or a value outside its allowed set is
bad input (exit status 2), reported with the file, the key, the value and what
is allowed (with a did-you-mean for misspelt keys).

>>> s = defaults()
>>> s["dotprobe"]["rt_min_ms"], s["reliability"]["n_splits"]
(200.0, 5000)
"""

from __future__ import annotations

import copy
import difflib
from pathlib import Path

from icb.errors import BadInput


class ScoringConfigError(BadInput):
    """A scoring config that does not match the declared settings."""


def _contrast(a: dict, b: dict) -> dict:
    return {"a": a, "b": b}


# section -> key -> (default, kind, allowed).  kind: float, int, bool, str, list, contrasts, dict
DECLARED: dict[str, dict[str, tuple]] = {
    "input": {
        "pre_session": ("pre", "str", None),
        "post_session": ("post", "str", None),
    },
    "dotprobe": {
        "test_phase": ("test", "str", None),
        "filler_trial_type": ("filler", "str", None),
        "accuracy_min": (0.80, "float", (0.0, 1.0)),
        "drop_errors": (True, "bool", None),
        "rt_min_ms": (200.0, "float", (0.0, None)),
        "rt_max_ms": (2000.0, "float", (0.0, None)),
        "outlier_method": ("mad", "str", ("mad", "sd", "none")),
        "outlier_k": (2.5, "float", (0.0, None)),
        "min_trials_per_cell": (10, "int", (2, None)),
        "tlbs_method": ("nearest", "str", ("nearest", "weighted")),
        "tlbs_window": (5, "int", (1, None)),
        "tlbs_variability_denominator": ("n", "str", ("n", "n-1")),
        "abv_bin_size": (10, "int", (2, None)),
    },
    "reliability": {
        "n_splits": (5000, "int", (10, None)),
        "seed": (20240601, "int", (0, None)),
        "chunk_splits": (250, "int", (1, None)),
        "threads": (1, "int", (1, 64)),
        "ratings": (True, "bool", None),
    },
    "rating": {
        "contrasts": ({
            "infant_minus_adult": _contrast({"category": ["infant"]}, {"category": ["adult"]}),
            "distress_minus_neutral": _contrast({"category": ["infant"], "valence": ["distress"]},
                                                {"category": ["infant"], "valence": ["neutral"]}),
            "high_minus_low_baby_schema": _contrast({"baby_schema": [4, 5]},
                                                    {"baby_schema": [1, 2]}),
        }, "contrasts", None),
    },
    "keypress": {
        "contrasts": ({
            "infant_minus_adult": _contrast({"category": ["infant"]}, {"category": ["adult"]}),
            "distress_minus_neutral": _contrast({"category": ["infant"], "valence": ["distress"]},
                                                {"category": ["infant"], "valence": ["neutral"]}),
            "high_minus_low_baby_schema": _contrast({"baby_schema": [4, 5]},
                                                    {"baby_schema": [1, 2]}),
        }, "contrasts", None),
    },
    "cryrating": {
        "aversiveness_scales": (["urgent", "aversive", "distressed"], "list", None),
        "contrasts": ({
            "infant_minus_rotated": _contrast({"category": ["infant"]}, {"category": ["rotated"]}),
            "high_minus_low_distress": _contrast(
                {"category": ["infant"], "valence": ["high_distress"]},
                {"category": ["infant"], "valence": ["low_distress"]}),
        }, "contrasts", None),
    },
    "change": {
        "dotprobe_measures": (["bias_ms"], "list", None),
        "rci_criterion": (1.96, "float", (0.0, None)),
    },
    "mixed_model": {
        "enabled": (True, "bool", None),
        "max_trials": (60000, "int", (100, None)),
        "max_iterations": (200, "int", (1, None)),
    },
}

SELECTOR_COLUMNS = ("category", "valence", "baby_schema", "stim_id")


def defaults() -> dict:
    """The declared defaults as a nested dict (a fresh copy)."""
    return {sec: {k: copy.deepcopy(v[0]) for k, v in keys.items()}
            for sec, keys in DECLARED.items()}


def _did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_value(where: str, value, kind: str, allowed) -> tuple[object, str | None]:
    """Return (converted value, problem or None)."""
    if kind == "bool":
        if isinstance(value, bool):
            return value, None
        return value, f"{where}: {value!r} is not allowed; allowed: true or false"
    if kind in ("float", "int"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value, f"{where}: {value!r} is not allowed; allowed: a number"
        if kind == "int" and (isinstance(value, float) and not value.is_integer()):
            return value, f"{where}: {value!r} is not allowed; allowed: a whole number"
        value = int(value) if kind == "int" else float(value)
        if value != value or value in (float("inf"), float("-inf")):
            return value, f"{where}: {value!r} is not allowed; allowed: a finite number"
        low, high = allowed or (None, None)
        if (low is not None and value < low) or (high is not None and value > high):
            rng = f"from {low}" + (f" to {high}" if high is not None else " up")
            return value, f"{where}: {value!r} is not allowed; allowed: a number {rng}"
        return value, None
    if kind == "str":
        if not isinstance(value, str):
            return value, f"{where}: {value!r} is not allowed; allowed: a text value"
        if allowed and value not in allowed:
            return value, (f"{where}: {value!r} is not allowed; allowed: "
                           f"{', '.join(allowed)}{_did_you_mean(value, allowed)}")
        return value, None
    if kind == "list":
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return value, f"{where}: {value!r} is not allowed; allowed: a non-empty list of names"
        return value, None
    if kind == "contrasts":
        return _check_contrasts(where, value)
    raise ValueError(kind)


def _check_contrasts(where: str, value) -> tuple[object, str | None]:
    shape = ("a mapping name -> {a: {column: [values]}, b: {column: [values]}} with columns "
             + ", ".join(SELECTOR_COLUMNS))
    if not isinstance(value, dict):
        return value, f"{where}: {value!r} is not allowed; allowed: {shape}"
    for name, spec in value.items():
        if not isinstance(name, str) or not isinstance(spec, dict) or set(spec) != {"a", "b"}:
            return value, f"{where}.{name}: {spec!r} is not allowed; allowed: {shape}"
        for side in ("a", "b"):
            sel = spec[side]
            if not isinstance(sel, dict) or not sel:
                return value, f"{where}.{name}.{side}: {sel!r} is not allowed; allowed: {shape}"
            for col, vals in sel.items():
                if col not in SELECTOR_COLUMNS:
                    return value, (f"{where}.{name}.{side}: column {col!r} is not allowed; "
                                   f"allowed: {', '.join(SELECTOR_COLUMNS)}"
                                   f"{_did_you_mean(str(col), SELECTOR_COLUMNS)}")
                if not isinstance(vals, list) or not vals:
                    return value, (f"{where}.{name}.{side}.{col}: {vals!r} is not allowed; "
                                   "allowed: a non-empty list of values")
    return value, None


def merge(overrides: dict, *, source: str = "scoring config") -> dict:
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
            problems.append(f"{source}: {section}: unknown section"
                            f"{_did_you_mean(str(section), DECLARED)}; allowed: "
                            f"{', '.join(DECLARED)}")
            continue
        if keys is None:
            continue
        if not isinstance(keys, dict):
            problems.append(f"{source}: {section}: must be a mapping of keys")
            continue
        for key, value in keys.items():
            declared = DECLARED[section]
            if key not in declared:
                problems.append(f"{source}: {section}.{key}: unknown key"
                                f"{_did_you_mean(str(key), declared)}; allowed: "
                                f"{', '.join(sorted(declared))}")
                continue
            _, kind, allowed = declared[key]
            converted, problem = _check_value(f"{source}: {section}.{key}", value, kind, allowed)
            if problem:
                problems.append(problem)
            else:
                settings[section][key] = converted
    dp = settings["dotprobe"]
    if dp["rt_min_ms"] >= dp["rt_max_ms"]:
        problems.append(f"{source}: dotprobe.rt_min_ms ({dp['rt_min_ms']}) must be below "
                        f"dotprobe.rt_max_ms ({dp['rt_max_ms']})")
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
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ScoringConfigError(f"{path}: not valid YAML: {exc}") from None
    return merge(data or {}, source=str(path))


def condition_label(trial_type: str, cue_duration_ms: float) -> str:
    """``<trial_type>@<cue_duration_ms>``, the duration written as an integer when whole.

    >>> condition_label("infant_distress-infant_neutral", 200.0)
    'infant_distress-infant_neutral@200'
    >>> condition_label("a-b", 233.5)
    'a-b@233.5'
    """
    d = float(cue_duration_ms)
    text = str(int(d)) if d.is_integer() else repr(d)
    return f"{trial_type}@{text}"
