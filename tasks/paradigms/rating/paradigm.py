"""The rating paradigm: faces one at a time, each rated on the configured scales.

Trial: fixation -> the face for ``face_ms`` -> each scale in turn (the face stays above
the scale unless ``face_during_scales`` is false) -> blank.  One row per face x scale;
``onset`` is the scale's first flip, ``duration`` runs to the confirmed answer or the
time-out.
"""

from __future__ import annotations

from tasks.core.messages import catalogue_of
from tasks.core.paradigm import Effect, Paradigm, Person, Plan, RunContext, TrialRow, planted_person
from tasks.core.scales import (PerScaleResponder, add_dropped_to_last, rate_scales,
                               scale_problems, scales_of)
from tasks.core.screens import Image
from tasks.core.stimulus_plan import check_stimuli, fixation, plan_trials, timed_screen
from tasks.core.stimulus_pools import stim_fields

from .columns import COLUMNS
from .design import build_design, describe
from .params import PARAMS
from .simulate import RatingResponder, parse_spec

FACE_Y_DEG = 3.5

EFFECTS = (
    Effect("rating_infant_minus_adult", 1.5, "planted infant - adult rating difference (scale "
           "points, every scale)"),
    Effect("rating_infant_minus_adult_sd", 0.5, "between-participant SD of the infant - adult "
           "difference (gives the salience scores a reliability)"),
    Effect("rating_distress_minus_neutral", -1.0, "planted distress - neutral rating "
           "difference"),
    Effect("rating_baby_schema_slope", 0.3, "planted rating change per baby-schema level"),
    Effect("rating_sd", 0.5, "between-participant SD of the rating level"),
    Effect("rating_more_change", 0.5, "planted pre-to-post change of infant-face ratings, MORE "
           "group"),
    Effect("rating_control_change", 0.0, "planted pre-to-post change of infant-face ratings, "
           "control group"),
)


def check(config) -> list[str]:
    return scale_problems(config.params, "image") + check_stimuli(
        config, "image", levels_key="baby_schema_levels")


def plan(config, participant: str, session: str, seed: int | None = None) -> Plan:
    return plan_trials(config, participant, session, seed, "image", build_design,
                       levels_key="baby_schema_levels")


def plan_rows(the_plan: Plan) -> list[dict]:
    return describe(list(the_plan.trials))


def instructions(config, the_plan: Plan) -> str:
    messages = catalogue_of(config.station)
    n = sum(t.phase == "practice" for t in the_plan.trials)
    start = messages.text("rating.start_practice", n=n) if n else messages.text("trial.start")
    return messages.text("rating.instructions", start=start)


def present(trial, engine, planned, run: RunContext) -> list[TrialRow]:
    p = run.params
    face = Image(trial.stim.stim_id, 0.0, FACE_Y_DEG if p["face_during_scales"] else 0.0)
    dropped = fixation(engine, p["fixation_ms"])
    dropped += timed_screen(engine, "face", (face,), p["face_ms"])
    rows = rate_scales(engine, trial, scales_of(p, run.catalogue), (face,) if p["face_during_scales"] else (),
                       planned, p["response_timeout_ms"], stim_fields(trial.stim), dropped)
    return add_dropped_to_last(rows, timed_screen(engine, "iti", (), p["iti_ms"]))


def responder(spec: str | None, config) -> PerScaleResponder:
    return PerScaleResponder(parse_spec(spec), scales_of(config.params))


def cohort_responder(effects, person: Person, config) -> PerScaleResponder:
    offset, salience, change = planted_person(effects, "rating", person, level="rating_sd",
                                              salience="rating_infant_minus_adult")
    rater = RatingResponder(infant_minus_adult=salience,
                            distress_minus_neutral=effects["rating_distress_minus_neutral"],
                            baby_schema_slope=effects["rating_baby_schema_slope"],
                            offset=offset, infant_change=change)
    return PerScaleResponder(rater, scales_of(config.params))


PARADIGM = Paradigm(
    params=PARAMS, columns=COLUMNS, effects=EFFECTS, check=check, plan=plan,
    plan_rows=plan_rows, instructions=instructions, present=present, responder=responder,
    cohort_responder=cohort_responder,
    description="liking, cuteness and wish to care for the baby, by slider")
