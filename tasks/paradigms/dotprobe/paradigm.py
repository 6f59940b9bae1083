"""The dot-probe: config checks, the plan, one trial, the simulated participant.

Trial: fixation -> two pictures for the cue duration -> a probe at the centre of one
picture until a response or the time-out -> blank inter-trial interval (practice: error
feedback).  ``onset`` is the cue's first flip; ``duration`` runs to the response or the
time-out.
"""

from __future__ import annotations

import numpy as np

from icb.errors import StimulusError
from tasks.core import counterbalance, touch
from tasks.core.messages import catalogue_of
from tasks.core.paradigm import Effect, Paradigm, Person, Plan, RunContext, TrialRow
from tasks.core.screens import Fixation, Image, Probe, ResponseSpec, Screen, Text, whole_frames
from tasks.core.stimulus_pools import check_files, pools_for
from tasks.core.stimulus_plan import seed_and_set

from .columns import COLUMNS
from .design import DotProbeTrial, build_design, describe, response_keys, split_pair
from .params import PARAMS
from .simulate import DotProbeResponder, parse_spec

EFFECTS = (
    Effect("bias_ms", 25.0, "planted pre-session attentional bias (all conditions)"),
    Effect("bias_sd_ms", 10.0, "between-participant SD of the planted bias"),
    Effect("more_change_ms", 20.0, "planted pre-to-post change of the bias in the MORE group"),
    Effect("control_change_ms", 0.0, "planted pre-to-post change of the bias in the control "
           "group"),
)


def _key_label(key: str, messages) -> str:
    """How the instructions name ``key`` (messages ``keys.<arrow>`` / ``keys.other``)."""
    if key in ("up", "down", "left", "right"):
        return messages.text(f"keys.{key}")
    return messages.text("keys.other", key=key.upper())


def _manifest(config):
    from tasks.stimulus_factory.manifest import load_manifest
    return load_manifest(config.manifest_path)


def categories_needed(params: dict) -> list[str]:
    cats = []
    for trial_type in params["trial_types"]:
        cats += list(split_pair(trial_type))
    return sorted(set(cats + [params["filler_category"]]))


def stimulus_pools(params: dict, manifest, stim_set: str) -> tuple[dict, dict]:
    """Ids per ``<category>_<valence>`` for one set (sorted by identity) and their paths."""
    pools, paths = pools_for(manifest, "image", categories_needed(params), stim_set, minimum=2)
    return {cell: [s.stim_id for s in stims] for cell, stims in pools.items()}, paths


def _same_length_cues(cues_ms: list[int], refresh_hz: float) -> list[str]:
    """Cue durations that would be shown for the same number of frames (17, 20 and 24 ms
    are all one frame at 60 Hz): one condition under several names, refused.

    >>> _same_length_cues([17, 20, 24, 200], 60.0)[0][:56]
    'params.cue_durations_ms: 17, 20 and 24 ms would all last'
    >>> _same_length_cues([200, 2000], 60.0)
    []
    """
    by_frames: dict[int, list[int]] = {}
    for ms in cues_ms:
        by_frames.setdefault(whole_frames(ms, 1000.0 / refresh_hz), []).append(ms)
    return [f"params.cue_durations_ms: {', '.join(map(str, same[:-1]))} and {same[-1]} ms "
            f"would all last {frames} frame(s) at the station's expected_refresh_hz ({refresh_hz:g} Hz), so they "
            f"would be one cue length under {len(same)} names; allowed: durations at least one "
            f"frame ({1000.0 / refresh_hz:.1f} ms) apart"
            for frames, same in sorted(by_frames.items()) if len(set(same)) > 1]


def check(config) -> list[str]:
    """Problems beyond single-parameter limits: consistency and every stimulus named."""
    p = config.params
    problems = []
    if p["iti_min_ms"] > p["iti_max_ms"]:
        problems.append(f"params.iti_min_ms: {p['iti_min_ms']} is larger than params.iti_max_ms "
                        f"({p['iti_max_ms']}); allowed: iti_min_ms <= iti_max_ms")
    for trial_type in p["trial_types"]:
        parts = trial_type.split("-")
        if len(parts) != 2 or not all(len(x.split("_")) == 2 for x in parts):
            problems.append(f"params.trial_types: bad pair type {trial_type!r}; allowed: "
                            "'<category>_<valence>-<category>_<valence>', e.g. "
                            "'infant_distress-infant_neutral'")
    for name in ("location_keys", "discrimination_keys"):
        if len(set(p[name])) != len(p[name]):
            problems.append(f"params.{name}: the two keys must differ, got {p[name]}")
    problems += _same_length_cues(p["cue_durations_ms"], config.station["expected_refresh_hz"])
    if problems:
        return problems
    try:
        manifest = _manifest(config)
    except StimulusError as exc:
        return [f"station.stimulus_manifest: {msg}" for msg in exc.problems]
    sets = ["A", "B"] if p["stimulus_set"] == "auto" else [p["stimulus_set"]]
    for stim_set in sets:
        try:
            _, paths = stimulus_pools(p, manifest, stim_set)
        except StimulusError as exc:
            problems += exc.problems
            continue
        problems += check_files(paths, "image", manifest)
    return problems


def plan(config, participant: str, session: str, seed: int | None = None) -> Plan:
    """Everything decided before the window opens: seed, set, key mapping, trials."""
    p = config.params
    seed, stim_set = seed_and_set(p, config.label, participant, session, seed)
    mapping = p["key_mapping"] if p["key_mapping"] != "auto" else \
        counterbalance.key_mapping_for(participant)
    pools, paths = stimulus_pools(p, _manifest(config), stim_set)
    trials = build_design(p, pools, np.random.default_rng(seed), mapping=mapping)
    keys = response_keys(p, mapping)
    used = {s for t in trials for s in (t.stim_left, t.stim_right)}
    return Plan(seed=int(seed), stimulus_set=stim_set, trials=tuple(trials),
                images={k: v for k, v in paths.items() if k in used},
                image_size_deg=(p["image_width_deg"], p["image_height_deg"]),
                key_mapping=mapping,
                settings={"keys": keys, "key_pair": tuple(dict.fromkeys(keys.values()))})


def plan_rows(the_plan: Plan) -> list[dict]:
    return describe(list(the_plan.trials))


def instructions(config, the_plan: Plan) -> str:
    messages = catalogue_of(config.station)
    mode = config.params["probe_mode"]
    labels = {name: _key_label(key, messages) for name, key in the_plan.settings["keys"].items()}
    return messages.text(f"dotprobe.instructions.{mode}", **labels)


def trial_screens(trial: DotProbeTrial, params) -> list[Screen]:
    off = params["image_offset_deg"]
    pair = (Image(trial.stim_left, -off, 0.0), Image(trial.stim_right, off, 0.0))
    probe_x = -off if trial.probe_side == "left" else off
    return [Screen("fixation", (Fixation(),), float(trial.fixation_ms)),
            Screen("cue", pair, float(trial.cue_ms)),
            Screen("probe", (Probe(probe_x, 0.0, trial.probe_identity),), None),
            Screen("iti", (), float(trial.iti_ms))]


def touch_targets(run: RunContext) -> tuple:
    """With ``station.input: touch``: the location probe is answered by tapping the place
    of the picture where the dot is (an area the size of the picture); the discrimination
    probe by one of two labelled buttons below the pictures (in the order of the keys)."""
    station, p = run.config.station, run.params
    if station.get("input", "keyboard") != "touch":
        return ()
    keys = run.plan.settings["keys"]
    if p["probe_mode"] == "location":
        off = p["image_offset_deg"]
        return tuple(touch.area(station, keys[side], x, 0.0, p["image_width_deg"],
                                p["image_height_deg"])
                     for side, x in (("left", -off), ("right", off)))
    label = touch.labels(station)
    form = {key: name for name, key in keys.items()}
    first, second = run.plan.settings["key_pair"]
    y = -(p["image_height_deg"] / 2 + 0.5 + touch.button_size_deg(station)[1] / 2)
    return touch.button_pair(station, y, (first, label[form[first]]),
                             (second, label[form[second]]))


def present(trial: DotProbeTrial, engine, planned, run: RunContext) -> list[TrialRow]:
    p = run.params
    spec = ResponseSpec(run.plan.settings["key_pair"], float(p["probe_timeout_ms"]),
                        touch_targets(run))
    result = engine.run_sequence(trial_screens(trial, p), spec, planned)
    dropped = result.dropped_frames
    if trial.phase == "practice" and result.key != trial.correct_key and p["feedback_ms"]:
        message = run.text("dotprobe.too_slow" if result.key is None else "dotprobe.wrong_key")
        feedback = engine.run_sequence([Screen("feedback", (Text(message, colour="red"),),
                                               float(p["feedback_ms"]))])
        dropped += feedback.dropped_frames
    cue_on = result.onsets_s["cue"]
    return [TrialRow(cue_on, result.end_s - cue_on, dropped, {
        "trial_type": trial.trial_type, "cue_duration_ms": trial.cue_ms,
        "cue_duration_actual_ms": result.actual_ms("cue", "probe"),
        "target_side": trial.target_side, "probe_side": trial.probe_side,
        "congruent": None if trial.congruent is None else int(trial.congruent),
        "stim_left": trial.stim_left, "stim_right": trial.stim_right,
        "probe_identity": trial.probe_identity, "response": result.key,
        "correct": int(result.key is not None and result.key == trial.correct_key),
        "rt_ms": result.rt_ms})]


def responder(spec: str | None, config) -> DotProbeResponder:
    return parse_spec(spec)


def cohort_responder(effects, person: Person, config) -> DotProbeResponder:
    """One participant x session of a simulated cohort: the person's bias and speed are
    drawn from ``person.person_rng`` (the same in every session), plus the planted change."""
    rng = person.person_rng
    person_bias = effects["bias_ms"] + effects["bias_sd_ms"] * rng.standard_normal()
    mu = 450.0 + 40.0 * rng.standard_normal()
    change = 0.0
    if person.session == "post":
        change = effects["more_change_ms"] if person.group == "MORE" \
            else effects["control_change_ms"]
    return DotProbeResponder(mu_ms=float(mu), bias_ms=float(person_bias + change))


PARADIGM = Paradigm(
    params=PARAMS, columns=COLUMNS, effects=EFFECTS, check=check, plan=plan,
    plan_rows=plan_rows, instructions=instructions, present=present, responder=responder,
    cohort_responder=cohort_responder, after_practice="dotprobe.after_practice",
    description="attentional bias to infant faces (dot-probe; Garland-compatible location "
                "probe or a discrimination probe)")
