"""The dot-probe task: config checks, the plan, and the trial loop.

Trial: fixation -> two pictures for the cue duration -> a probe at the centre of
one picture until a response or the time-out -> blank inter-trial interval.  The
loop talks to an engine (PsychoPy or data-only) and writes one row per trial.
"""

from __future__ import annotations


import numpy as np

from tasks.core import counterbalance
from tasks.core.screens import Fixation, Image, Probe, ResponseSpec, Screen, Text
from tasks.core.stimulus_pools import check_files
from tasks.core.task_flow import seed_and_set
from tasks.paradigms.dotprobe.design import DotProbeTrial, build_design, describe, response_keys, split_pair
from tasks.paradigms.dotprobe.params import NAME, PARAMS  # noqa: F401  (declarations re-exported)
from icb.errors import Aborted, AbortRequested, StimulusError

INSTRUCTIONS = {
    "location": (
        "Welcome, and thank you for taking part.\n\n"
        "First a small cross appears in the middle of the screen. Please look at it.\n"
        "Then two pictures appear, one on each side.\n"
        "Then a small dot appears where one of the pictures was.\n\n"
        "Press the LEFT arrow key if the dot is on the left,\n"
        "and the RIGHT arrow key if it is on the right.\n\n"
        "Please answer as quickly and as accurately as you can.\n\n"
        "Press the SPACE bar to start a few practice rounds."),
    "discrimination": (
        "Welcome, and thank you for taking part.\n\n"
        "First a small cross appears in the middle of the screen. Please look at it.\n"
        "Then two pictures appear, one on each side.\n"
        "Then two small dots appear where one of the pictures was:\n"
        "either one above the other ( : ) or side by side ( .. ).\n\n"
        "Press {colon} for  :   and  {dots} for  ..\n\n"
        "Please answer as quickly and as accurately as you can.\n\n"
        "Press the SPACE bar to start a few practice rounds."),
}
AFTER_PRACTICE = ("Well done - that was the practice.\n\nNow the real task begins. It works "
                  "the same way, but there is no more feedback.\n\nPress the SPACE bar to start.")
BREAK = ("Time for a short break.\n\nYou have finished block {done} of {total}.\n"
         "Rest as long as you like.\n\nPress the SPACE bar when you are ready to go on.")
THE_END = "Thank you! This task is finished.\n\nPlease let the experimenter know."


def _key_label(key: str) -> str:
    return {"up": "the UP arrow key", "down": "the DOWN arrow key", "left": "the LEFT arrow key",
            "right": "the RIGHT arrow key"}.get(key, f"the {key.upper()} key")


def _manifest(config):
    from tasks.stimulus_factory.manifest import load_manifest
    return load_manifest(config.manifest_path)


def _categories_needed(params: dict) -> list[str]:
    cats = []
    for trial_type in params["trial_types"]:
        cats += list(split_pair(trial_type))
    return sorted(set(cats + [params["filler_category"]]))


def check_config(config) -> list[str]:
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
    if problems:
        return problems
    try:
        manifest = _manifest(config)
    except StimulusError as exc:
        return [f"station.stimulus_manifest: {msg}" for msg in exc.problems]
    sets = ["A", "B"] if p["stimulus_set"] == "auto" else [p["stimulus_set"]]
    for stim_set in sets:
        try:
            pools, paths = stimulus_pools(p, manifest, stim_set)
        except StimulusError as exc:
            problems += exc.problems
            continue
        problems += check_files(paths, "image")
    return problems


def stimulus_pools(params: dict, manifest, stim_set: str) -> tuple[dict, dict]:
    """Ids per ``<category>_<valence>`` for one set (sorted by identity) and their paths."""
    from tasks.stimulus_factory.manifest import select, stimulus_path
    pools, paths, problems = {}, {}, []
    for cat in _categories_needed(params):
        category, valence = cat.split("_", 1)
        rows = select(manifest, modality="image", category=category, valence=valence)
        rows = rows[rows["baby_schema"].isna()] if "baby_schema" in rows else rows
        in_set = rows[rows["set"].isin([stim_set, "both"])]
        if len(in_set) < 2:
            problems.append(f"params: category {cat!r} has {len(in_set)} picture(s) in stimulus "
                            f"set {stim_set} of the manifest; at least 2 are needed")
            continue
        in_set = in_set.sort_values(["identity", "id"])
        pools[cat] = list(in_set["id"])
        for stim_id in pools[cat]:
            paths[stim_id] = stimulus_path(manifest, stim_id)
    if problems:
        raise StimulusError(problems[0], problems)
    return pools, paths


def plan(config, participant: str, session: str, seed: int | None = None) -> dict:
    """Everything decided before the window opens: seed, set, key mapping, trials."""
    p = config.params
    seed, stim_set = seed_and_set(p, NAME, participant, session, seed)
    mapping = p["key_mapping"] if p["key_mapping"] != "auto" else \
        counterbalance.key_mapping_for(participant)
    manifest = _manifest(config)
    pools, paths = stimulus_pools(p, manifest, stim_set)
    trials = build_design(p, pools, np.random.default_rng(seed), mapping=mapping)
    return {"seed": int(seed), "stimulus_set": stim_set, "key_mapping": mapping,
            "trials": trials, "paths": paths, "keys": response_keys(p, mapping)}


def plan_rows(the_plan: dict) -> list[dict]:
    return describe(the_plan["trials"])


def trial_screens(trial: DotProbeTrial, params: dict) -> list[Screen]:
    off = params["image_offset_deg"]
    pair = (Image(trial.stim_left, -off, 0.0), Image(trial.stim_right, off, 0.0))
    probe_x = -off if trial.probe_side == "left" else off
    return [Screen("fixation", (Fixation(),), float(trial.fixation_ms)),
            Screen("cue", pair, float(trial.cue_ms)),
            Screen("probe", (Probe(probe_x, 0.0, trial.probe_identity),), None),
            Screen("iti", (), float(trial.iti_ms))]


def record(index: int, trial: DotProbeTrial, result, timeout_ms: float) -> dict:
    cue_on = result.onsets_s["cue"]
    correct = int(result.key is not None and result.key == trial.correct_key)
    return {
        "onset": cue_on, "duration": (result.end_s - cue_on), "trial_index": index,
        "phase": trial.phase, "block": trial.block, "trial_type": trial.trial_type,
        "cue_duration_ms": trial.cue_ms,
        "cue_duration_actual_ms": result.actual_ms("cue", "probe"),
        "dropped_frames": result.dropped_frames, "target_side": trial.target_side,
        "probe_side": trial.probe_side,
        "congruent": None if trial.congruent is None else int(trial.congruent),
        "stim_left": trial.stim_left, "stim_right": trial.stim_right,
        "probe_identity": trial.probe_identity, "response": result.key, "correct": correct,
        "rt_ms": result.rt_ms,
    }


def prepare(config, the_plan: dict, engine) -> None:
    """Preload every picture of the plan (before the sidecar and the first trial)."""
    p = config.params
    engine.preload_images(the_plan["paths"], (p["image_width_deg"], p["image_height_deg"]))


def run(config, the_plan: dict, engine, writer, *, responder=None, sim_rng=None,
        start_index: int = 1, log=print) -> None:
    """Present the plan's trials and append a row per finished trial.

    Raises :class:`icb.errors.Aborted` when the experimenter ends the run.
    """
    p = config.params
    trials: list[DotProbeTrial] = the_plan["trials"]
    keys = the_plan["keys"]
    key_pair = tuple(dict.fromkeys(keys.values()))
    prepare(config, the_plan, engine)  # a no-op when run_one has already preloaded
    spec = ResponseSpec(key_pair, float(p["probe_timeout_ms"]))

    def planned_space():
        if responder is None:
            return None
        from tasks.core.screens import PlannedResponse
        return PlannedResponse("space", float(sim_rng.uniform(300, 900)))

    text = INSTRUCTIONS[p["probe_mode"]]
    if p["probe_mode"] == "discrimination":
        text = text.format(colon=_key_label(keys["colon"]), dots=_key_label(keys["dots"]))
    engine.show_message(text, planned=planned_space())
    previous_phase, previous_block = None, None
    n_blocks = p["n_blocks"]
    index = start_index
    for trial in trials:
        if trial.phase == "test" and previous_phase == "practice":
            engine.show_message(AFTER_PRACTICE, planned=planned_space())
        elif trial.phase == "test" and previous_block is not None and trial.block != previous_block:
            engine.show_message(BREAK.format(done=previous_block, total=n_blocks),
                                min_s=config.station["break_min_s"], planned=planned_space())
        previous_phase, previous_block = trial.phase, trial.block
        while True:
            planned = responder.respond(trial, key_pair, sim_rng) if responder else None
            try:
                result = engine.run_sequence(trial_screens(trial, p), spec, planned)
                break
            except AbortRequested:
                if engine.confirm_abort():
                    raise Aborted("aborted by the experimenter") from None
                # Not confirmed: the interrupted trial is shown again from its start.
        writer.append(record(index, trial, result, spec.timeout_ms))
        index += 1
        if trial.phase == "practice" and result.key != trial.correct_key and p["feedback_ms"]:
            message = "Too slow" if result.key is None else "Wrong key"
            engine.run_sequence([Screen("feedback", (Text(message, colour="red"),),
                                        float(p["feedback_ms"]))])
    engine.show_message(THE_END, planned=planned_space())


# -- simulated participants ----------------------------------------------------
EFFECTS = {
    "bias_ms": (25.0, "planted pre-session attentional bias (all conditions)"),
    "bias_sd_ms": (10.0, "between-participant SD of the planted bias"),
    "more_change_ms": (20.0, "planted pre-to-post change of the bias in the MORE group"),
    "control_change_ms": (0.0, "planted pre-to-post change of the bias in the control group"),
}


def responder_from_spec(spec: str | None):
    from tasks.paradigms.dotprobe.simulate import parse_spec
    return parse_spec(spec)


def cohort_responder(effects: dict, *, group: str, session: str, person_rng, session_rng):
    """A responder for one participant x session of a simulated cohort.

    ``person_rng`` draws what is stable within a person (the person's bias), so
    the pre and post responders of one participant share it.
    """
    from tasks.paradigms.dotprobe.simulate import DotProbeResponder
    person_bias = effects["bias_ms"] + effects["bias_sd_ms"] * person_rng.standard_normal()
    mu = 450.0 + 40.0 * person_rng.standard_normal()
    change = 0.0
    if session == "post":
        change = effects["more_change_ms"] if group == "MORE" else effects["control_change_ms"]
    return DotProbeResponder(mu_ms=float(mu), bias_ms=float(person_bias + change))
