"""The cry-rating paradigm: infant cries and control sounds, each rated on the scales.

Trial: fixation -> the listening screen; the sound starts on a screen flip
``audio_lead_frames`` after the screen's first flip (scheduled through the PTB audio
backend; the requested and the reported onset are recorded) and the screen stays until
``post_sound_ms`` after its end -> each scale in turn -> blank.  One row per sound x
scale; ``onset`` is the scale's first flip.
"""

from __future__ import annotations

from tasks.core.messages import catalogue_of
from tasks.core.paradigm import Effect, Paradigm, Person, Plan, RunContext, TrialRow, planted_person
from tasks.core.scales import (PerScaleResponder, add_dropped_to_last, rate_scales,
                               scale_problems, scales_of)
from tasks.core.screens import Text
from tasks.core.stimulus_plan import check_stimuli, fixation, plan_trials, timed_screen
from tasks.core.stimulus_pools import stim_fields

from .columns import COLUMNS
from .design import build_design, describe
from .params import PARAMS
from .simulate import CryResponder
from tasks.core.simulated_spec import parse_spec

EFFECTS = (
    Effect("cry_aversive_mean", 5.5, "planted mean aversiveness (urgent/aversive/distressed, "
           "1..7) of high-distress infant cries"),
    Effect("cry_high_minus_low_distress", 1.0, "planted aversiveness difference high - low "
           "distress"),
    Effect("cry_infant_minus_control", 2.0, "planted aversiveness difference infant cry - "
           "control sound"),
    Effect("cry_infant_minus_control_sd", 0.5, "between-participant SD of the infant - control "
           "difference"),
    Effect("cry_sd", 0.7, "between-participant SD of the aversiveness level"),
    Effect("cry_more_change", -0.5, "planted pre-to-post change of infant-cry ratings, MORE "
           "group"),
    Effect("cry_control_change", 0.0, "planted pre-to-post change of infant-cry ratings, "
           "control group"),
)


def check(config) -> list[str]:
    return scale_problems(config.params, "audio") + check_stimuli(config, "audio")


def plan(config, participant: str, session: str, seed: int | None = None) -> Plan:
    return plan_trials(config, participant, session, seed, "audio", build_design)


def plan_rows(the_plan: Plan) -> list[dict]:
    return describe(list(the_plan.trials))


def instructions(config, the_plan: Plan) -> str:
    messages = catalogue_of(config.station)
    n = sum(t.phase == "practice" for t in the_plan.trials)
    start = messages.text("cryrating.start_practice", n=n) if n else messages.text("trial.start")
    return messages.text("cryrating.instructions", start=start)


def present(trial, engine, planned, run: RunContext) -> list[TrialRow]:
    p = run.params
    dropped = fixation(engine, p["fixation_ms"])
    sound_ms = 1000.0 * (trial.stim.duration_s or 0.0) + p["post_sound_ms"]
    sound = engine.play_sound(trial.stim.stim_id, (Text(run.text("cryrating.listen")),), sound_ms,
                              p["audio_lead_frames"])
    columns = {**stim_fields(trial.stim), "audio_onset_requested_s": sound.requested_s,
               "audio_onset_reported_s": sound.reported_s,
               "audio_onset_error_ms": sound.error_ms}
    rows = rate_scales(engine, trial, scales_of(p, run.catalogue), (), planned, p["response_timeout_ms"],
                       columns, dropped + sound.dropped_frames)
    return add_dropped_to_last(rows, timed_screen(engine, "iti", (), p["iti_ms"]))


def responder(spec: str | None, config) -> PerScaleResponder:
    return PerScaleResponder(parse_spec(spec, CryResponder), scales_of(config.params))


def cohort_responder(effects, person: Person, config) -> PerScaleResponder:
    offset, salience, change = planted_person(effects, "cry", person, level="cry_sd",
                                              salience="cry_infant_minus_control")
    rater = CryResponder(aversive_mean=effects["cry_aversive_mean"],
                         high_minus_low_distress=effects["cry_high_minus_low_distress"],
                         infant_minus_control=salience, offset=offset, infant_change=change)
    return PerScaleResponder(rater, scales_of(config.params))


PARADIGM = Paradigm(
    params=PARAMS, columns=COLUMNS, effects=EFFECTS, check=check, plan=plan,
    plan_rows=plan_rows, instructions=instructions, present=present, responder=responder,
    cohort_responder=cohort_responder,
    description="ratings of synthetic infant cries and matched control sounds "
                "(flip-locked PTB audio)")
