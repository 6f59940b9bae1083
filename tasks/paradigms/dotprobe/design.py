"""The dot-probe trial list: pure data built from an explicit ``numpy.random.Generator``.

Within each block the critical trials are the full crossing of pair type x cue
duration x target side x probe side (x probe form in discrimination mode),
``reps_per_block`` times, plus neutral-neutral fillers.  Pictures are dealt so
that, within each pair type, every picture appears (as near as the counts allow)
equally often left and right and probed and not probed.  The order within a block
keeps runs of the same probe side, and of the same congruency, at most
``max_run_length`` long.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from icb.errors import ConfigError

SIDES = ("left", "right")
FORMS_DISCRIMINATION = ("colon", "dots")


@dataclass(frozen=True)
class DotProbeTrial:
    """One planned trial (never mutated with responses; see ``DotProbeRecord``)."""

    phase: str
    block: int
    trial_type: str
    cue_ms: int
    target_side: str | None
    probe_side: str
    congruent: bool | None
    stim_left: str
    stim_right: str
    probe_identity: str
    correct_key: str
    iti_ms: float
    fixation_ms: int
    error_key: str = ""  # the other response key (what an error presses)


def response_keys(params: dict, mapping: str) -> dict[str, str]:
    """Correct key for each probe side (location) or probe form (discrimination)."""
    if params["probe_mode"] == "location":
        left, right = params["location_keys"]
        return {"left": left, "right": right}
    first, second = params["discrimination_keys"]
    if mapping == "A":
        return {"colon": first, "dots": second}
    return {"colon": second, "dots": first}


def _correct_key(keys: dict[str, str], probe_side: str, form: str) -> str:
    return keys[probe_side] if form == "dot" else keys[form]


def split_pair(trial_type: str) -> tuple[str, str]:
    """``'infant_distress-infant_neutral'`` -> ``('infant_distress', 'infant_neutral')``."""
    parts = trial_type.split("-")
    if len(parts) != 2 or not all(parts):
        raise ConfigError(f"trial type {trial_type!r}: expected '<target>-<comparison>'")
    return parts[0], parts[1]


def _deal(pool: list[str], count: int, offset: int) -> list[str]:
    return [pool[(offset + i) % len(pool)] for i in range(count)]


def _constrained_order(trials: list[DotProbeTrial], max_run: int,
                       rng: np.random.Generator, attempts: int = 2000) -> list[DotProbeTrial]:
    """Random order in which no probe side and no congruency repeats more than ``max_run``
    times in a row (a filler has no congruency and ends a congruency run)."""
    n = len(trials)
    sides = np.array([0 if t.probe_side == "left" else 1 for t in trials])
    cong = np.array([-1 if t.congruent is None else int(t.congruent) for t in trials])
    for _ in range(attempts):
        remaining = list(rng.permutation(n))
        order: list[int] = []
        side_run = cong_run = 0
        ok = True
        while remaining:
            for pos, idx in enumerate(remaining):
                s_run = side_run + 1 if order and sides[order[-1]] == sides[idx] else 1
                if cong[idx] < 0:
                    c_run = 0
                else:
                    c_run = cong_run + 1 if order and cong[order[-1]] == cong[idx] else 1
                if s_run <= max_run and c_run <= max_run:
                    order.append(idx)
                    side_run, cong_run = s_run, c_run
                    del remaining[pos]
                    break
            else:
                ok = False
                break
        if ok:
            return [trials[i] for i in order]
    raise ConfigError(f"could not order a block of {n} trials with runs of at most {max_run}; "
                      "raise max_run_length or change the block size")


def build_design(params: dict, pools: dict[str, list[str]], rng: np.random.Generator, *,
                 mapping: str = "A") -> list[DotProbeTrial]:
    """Build the whole trial list (practice first, then the test blocks).

    ``pools`` maps ``<category>_<valence>`` to the stimulus ids available (already
    restricted to the participant's stimulus set), sorted by identity so that the
    i-th picture of two pools of the same identities is the same person.

    >>> p = {"trial_types": ["a_x-b_y"], "cue_durations_ms": [200], "fixation_ms": 500,
    ...      "iti_min_ms": 500, "iti_max_ms": 500, "probe_mode": "location",
    ...      "location_keys": ["left", "right"], "discrimination_keys": ["up", "down"],
    ...      "n_blocks": 1, "reps_per_block": 1, "filler_ratio": 0.0,
    ...      "filler_category": "o_n", "max_run_length": 3, "practice_trials": 0}
    >>> pools = {"a_x": ["a1", "a2"], "b_y": ["b1", "b2"], "o_n": ["o1", "o2"]}
    >>> len(build_design(p, pools, np.random.default_rng(1)))
    4
    """
    keys = response_keys(params, mapping)
    forms = ("dot",) if params["probe_mode"] == "location" else FORMS_DISCRIMINATION
    durations = list(params["cue_durations_ms"])
    reps = params["reps_per_block"]
    max_run = params["max_run_length"]

    def iti() -> float:
        return float(rng.uniform(params["iti_min_ms"], params["iti_max_ms"]))

    blocks: list[list[DotProbeTrial]] = [[] for _ in range(params["n_blocks"])]
    for trial_type in params["trial_types"]:
        target_cat, comp_cat = split_pair(trial_type)
        target_pool, comp_pool = pools[target_cat], pools[comp_cat]
        # Deal pictures per (target side, congruency) group over the whole test phase.
        groups: dict[tuple, list[tuple]] = {}
        for block in range(params["n_blocks"]):
            for _ in range(reps):
                for cue in durations:
                    for t_side in SIDES:
                        for p_side in SIDES:
                            for form in forms:
                                congruent = t_side == p_side
                                groups.setdefault((t_side, congruent), []).append(
                                    (block, cue, t_side, p_side, form, congruent))
        for (t_side, congruent), cells in groups.items():
            offset = int(rng.integers(len(target_pool)))
            targets = _deal(target_pool, len(cells), offset)
            comp_offset = offset if len(comp_pool) == len(target_pool) else int(
                rng.integers(len(comp_pool)))
            comps = _deal(comp_pool, len(cells), comp_offset)
            for (block, cue, t_side_, p_side, form, cong), target, comp in zip(cells, targets, comps):
                left, right = (target, comp) if t_side_ == "left" else (comp, target)
                blocks[block].append(DotProbeTrial(
                    "test", block + 1, trial_type, int(cue), t_side_, p_side, cong, left, right,
                    form, _correct_key(keys, p_side, form), 0.0, params["fixation_ms"]))
    fill_pool = pools[params["filler_category"]]
    n_critical = len(blocks[0]) if blocks else 0
    n_fill = int(round(n_critical * params["filler_ratio"]))
    fill_counter = int(rng.integers(len(fill_pool)))
    for block in range(params["n_blocks"]):
        for i in range(n_fill):
            cue = durations[i % len(durations)]
            p_side = SIDES[(i // len(durations)) % 2]
            form = forms[(i // (2 * len(durations))) % len(forms)]
            left, right = _object_pair(fill_pool, fill_counter)
            fill_counter += 1
            blocks[block].append(DotProbeTrial(
                "test", block + 1, "filler", int(cue), None, p_side, None, left, right, form,
                _correct_key(keys, p_side, form), 0.0, params["fixation_ms"]))
    practice = []
    for i in range(params["practice_trials"]):
        cue = durations[i % len(durations)]
        p_side = SIDES[(i // len(durations)) % 2]
        form = forms[(i // (2 * len(durations))) % len(forms)]
        left, right = _object_pair(fill_pool, fill_counter)
        fill_counter += 1
        practice.append(DotProbeTrial(
            "practice", 0, "filler", int(cue), None, p_side, None, left, right, form,
            _correct_key(keys, p_side, form), 0.0, params["fixation_ms"]))
    ordered = [t for t in rng.permutation(np.array(practice, dtype=object))] if practice else []
    for block in blocks:
        ordered += _constrained_order(block, max_run, rng)
    pair = tuple(dict.fromkeys(keys.values()))
    return [replace(t, iti_ms=iti(), error_key=pair[1] if t.correct_key == pair[0] else pair[0])
            for t in ordered]


def _object_pair(pool: list[str], counter: int) -> tuple[str, str]:
    """Two different pictures from ``pool``, cycling so each is used equally often."""
    n = len(pool)
    left = pool[counter % n]
    right = pool[(counter + 1 + (counter // n) % max(n - 1, 1)) % n] if n > 1 else left
    if right == left and n > 1:
        right = pool[(counter + 1) % n]
    return left, right


def describe(trials: list[DotProbeTrial]) -> list[dict]:
    """The trial list as rows (``icb validate --plan``)."""
    return [{"trial_index": i + 1, "phase": t.phase, "block": t.block, "trial_type": t.trial_type,
             "cue_duration_ms": t.cue_ms, "target_side": t.target_side or "n/a",
             "probe_side": t.probe_side,
             "congruent": "n/a" if t.congruent is None else int(t.congruent),
             "stim_left": t.stim_left, "stim_right": t.stim_right,
             "probe_identity": t.probe_identity, "correct_key": t.correct_key,
             "iti_ms": round(t.iti_ms, 1)} for i, t in enumerate(trials)]
