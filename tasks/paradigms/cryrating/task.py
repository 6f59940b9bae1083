"""The cry-rating task: infant cries and control sounds, each rated on the scales.

Trial: fixation -> the listening screen; the sound starts on a screen flip
``audio_lead_frames`` after the screen's first flip (scheduled through the PTB
audio backend; the requested and the reported onset are recorded) and the screen
stays until ``post_sound_ms`` after its end -> each scale in turn -> blank.  One
row per sound x scale; ``onset`` is the scale's first flip.
"""

from __future__ import annotations


from tasks.core.screens import Fixation, Screen, Text
from tasks.paradigms.cryrating.design import build_design, describe
from tasks.paradigms.cryrating.params import NAME, PARAMS  # noqa: F401  (declarations re-exported)
from tasks.core.task_flow import Messages, check_stimuli, plan_trials, with_abort
from tasks.core.scales import build_scales, unknown_scales
from tasks.core.stimulus_pools import stim_fields

INSTRUCTIONS = (
    "Welcome, and thank you for taking part.\n\n"
    "You will hear short sounds, one at a time: babies crying and other sounds.\n"
    "Please listen to each sound until it ends.\n"
    "Then a few short questions appear. Answer each one by choosing a point on a line: "
    "move the red marker with the LEFT and RIGHT arrow keys (or click with the mouse), then "
    "press the SPACE bar to confirm.\n\n"
    "There are no right or wrong answers.\n"
    "Some sounds may be unpleasant. You can tell the experimenter at any time if you want "
    "to stop.\n\n"
    "Press the SPACE bar to start{practice}.")
LISTEN = "Listen..."


def check_config(config) -> list[str]:
    return unknown_scales(config.params["scales"]) + check_stimuli(config, "audio")


def plan(config, participant: str, session: str, seed: int | None = None) -> dict:
    return plan_trials(config, NAME, participant, session, seed, "audio", build_design)


def plan_rows(the_plan: dict) -> list[dict]:
    return describe(the_plan["trials"])


def prepare(config, the_plan: dict, engine) -> None:
    """Slow work before the sidecar is written: load every stimulus the plan needs
    (``run`` loads again only what is missing)."""
    engine.preload_sounds(the_plan["paths"])


def run(config, the_plan: dict, engine, writer, *, responder=None, sim_rng=None,
        start_index: int = 1, log=print) -> None:
    p = config.params
    audio = engine.preload_sounds(the_plan["paths"])
    writer.update_provenance(Audio=audio)
    scales = {s.name: s for s in build_scales(p["scales"], p["scale_type"], p["vas_key_step"])}
    trials = the_plan["trials"]
    msg = Messages(engine, config, responder, sim_rng)
    n_practice = sum(t.phase == "practice" for t in trials)
    msg.show(INSTRUCTIONS.format(practice=f" with {n_practice} practice sounds"
                                 if n_practice else ""))
    index = start_index
    for trial in trials:
        msg.before(trial, p["n_blocks"])
        if p["fixation_ms"]:
            with_abort(engine, lambda: engine.run_sequence(
                [Screen("fixation", (Fixation(),), float(p["fixation_ms"]))]))
        sound_ms = 1000.0 * (trial.stim.duration_s or 0.0) + p["post_sound_ms"]
        sound = with_abort(engine, lambda: engine.play_sound(
            trial.stim.stim_id, (Text(LISTEN),), sound_ms, p["audio_lead_frames"]))
        error_ms = sound.error_ms
        for name in trial.scales:
            scale = scales[name]
            planned = responder.respond(trial.stim, scale, sim_rng) if responder else None
            result = with_abort(engine, lambda: engine.rate(
                scale, (), planned=planned, timeout_ms=p["response_timeout_ms"]))
            writer.append({
                "onset": result.onset_s, "duration": result.end_s - result.onset_s,
                "trial_index": index, "phase": trial.phase, "block": trial.block,
                **stim_fields(trial.stim), "scale": name, "scale_min": scale.minimum,
                "scale_max": scale.maximum, "rating": result.rating,
                "rating_rt_ms": result.rt_ms,
                "audio_onset_requested_s": sound.requested_s,
                "audio_onset_reported_s": sound.reported_s,
                "audio_onset_error_ms": error_ms})
            index += 1
        if p["iti_ms"]:
            with_abort(engine, lambda: engine.run_sequence(
                [Screen("iti", (), float(p["iti_ms"]))]))
    msg.end()


# -- simulated participants ----------------------------------------------------
EFFECTS = {
    "cry_aversive_mean": (5.5, "planted mean aversiveness (urgent/aversive/distressed, 1..7) "
                          "of high-distress infant cries"),
    "cry_high_minus_low_distress": (1.0, "planted aversiveness difference high - low "
                                    "distress"),
    "cry_infant_minus_control": (2.0, "planted aversiveness difference infant cry - control "
                                 "sound"),
    "cry_infant_minus_control_sd": (0.5, "between-participant SD of the infant - control "
                                    "difference"),
    "cry_sd": (0.7, "between-participant SD of the aversiveness level"),
    "cry_more_change": (-0.5, "planted pre-to-post change of infant-cry ratings, MORE group"),
    "cry_control_change": (0.0, "planted pre-to-post change of infant-cry ratings, control "
                           "group"),
}


def responder_from_spec(spec: str | None):
    from tasks.paradigms.cryrating.simulate import CryResponder
    from tasks.paradigms.rating.simulate import parse_spec
    return parse_spec(spec, CryResponder)


def cohort_responder(effects: dict, *, group: str, session: str, person_rng, session_rng):
    from tasks.paradigms.cryrating.simulate import CryResponder
    offset = effects["cry_sd"] * person_rng.standard_normal()
    salience = effects["cry_infant_minus_control"] + \
        effects["cry_infant_minus_control_sd"] * person_rng.standard_normal()
    change = 0.0
    if session == "post":
        change = effects["cry_more_change"] if group == "MORE" else effects["cry_control_change"]
    return CryResponder(aversive_mean=effects["cry_aversive_mean"],
                        high_minus_low_distress=effects["cry_high_minus_low_distress"],
                        infant_minus_control=float(salience),
                        offset=float(offset), infant_change=float(change))
