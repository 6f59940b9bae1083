"""The rating task: faces one at a time, each rated on the configured scales.

Trial: fixation -> the face for ``face_ms`` -> each scale in turn (the face stays
above the scale unless ``face_during_scales`` is false) -> blank.  One row per
face x scale; ``onset`` is the scale's first flip, ``duration`` runs to the
confirmed answer or the time-out.
"""

from __future__ import annotations


from tasks.core.screens import Fixation, Image, Screen
from tasks.paradigms.rating.design import build_design, describe
from tasks.core.task_flow import Messages, check_stimuli, plan_trials, with_abort
from tasks.paradigms.rating.params import NAME, PARAMS  # noqa: F401  (declarations re-exported)
from tasks.core.scales import build_scales, unknown_scales
from tasks.core.stimulus_pools import stim_fields

FACE_Y_DEG = 3.5

INSTRUCTIONS = (
    "Welcome, and thank you for taking part.\n\n"
    "You will see pictures of faces, one at a time: babies and adults.\n"
    "After each picture, a few short questions appear. Answer each one by choosing a point "
    "on a line.\n\n"
    "Move the red marker with the LEFT and RIGHT arrow keys (or click on the line with the "
    "mouse), then press the SPACE bar to confirm.\n\n"
    "There are no right or wrong answers - your first impression is what counts.\n\n"
    "Press the SPACE bar to start with {n} practice pictures.")
INSTRUCTIONS_NO_PRACTICE = INSTRUCTIONS.split("Press the SPACE bar to start")[0] + \
    "Press the SPACE bar to start."


def check_config(config) -> list[str]:
    p = config.params
    problems = unknown_scales(p["scales"])
    return problems + check_stimuli(config, "image", levels_key="baby_schema_levels")


def plan(config, participant: str, session: str, seed: int | None = None) -> dict:
    return plan_trials(config, NAME, participant, session, seed, "image", build_design,
                       levels_key="baby_schema_levels")


def plan_rows(the_plan: dict) -> list[dict]:
    return describe(the_plan["trials"])


def prepare(config, the_plan: dict, engine) -> None:
    """Slow work before the sidecar is written: load every stimulus the plan needs
    (``run`` loads again only what is missing)."""
    p = config.params
    engine.preload_images(the_plan["paths"], (p["image_width_deg"], p["image_height_deg"]))


def run(config, the_plan: dict, engine, writer, *, responder=None, sim_rng=None,
        start_index: int = 1, log=print) -> None:
    p = config.params
    engine.preload_images(the_plan["paths"], (p["image_width_deg"], p["image_height_deg"]))
    scales = {s.name: s for s in build_scales(p["scales"], p["scale_type"], p["vas_key_step"])}
    trials = the_plan["trials"]
    msg = Messages(engine, config, responder, sim_rng)
    n_practice = sum(t.phase == "practice" for t in trials)
    msg.show(INSTRUCTIONS.format(n=n_practice) if n_practice else INSTRUCTIONS_NO_PRACTICE)
    face_y = FACE_Y_DEG if p["face_during_scales"] else 0.0
    index = start_index
    for trial in trials:
        msg.before(trial, p["n_blocks"])
        face = Image(trial.stim.stim_id, 0.0, face_y)
        screens = ([Screen("fixation", (Fixation(),), float(p["fixation_ms"]))]
                   if p["fixation_ms"] else []) + [Screen("face", (face,), float(p["face_ms"]))]
        with_abort(engine, lambda: engine.run_sequence(screens))
        items = (face,) if p["face_during_scales"] else ()
        for name in trial.scales:
            scale = scales[name]
            planned = responder.respond(trial.stim, scale, sim_rng) if responder else None
            result = with_abort(engine, lambda: engine.rate(
                scale, items, planned=planned, timeout_ms=p["response_timeout_ms"]))
            writer.append({
                "onset": result.onset_s, "duration": result.end_s - result.onset_s,
                "trial_index": index, "phase": trial.phase, "block": trial.block,
                **stim_fields(trial.stim), "scale": name, "scale_min": scale.minimum,
                "scale_max": scale.maximum, "rating": result.rating,
                "rating_rt_ms": result.rt_ms})
            index += 1
        if p["iti_ms"]:
            with_abort(engine, lambda: engine.run_sequence(
                [Screen("iti", (), float(p["iti_ms"]))]))
    msg.end()


# -- simulated participants ----------------------------------------------------
EFFECTS = {
    "rating_infant_minus_adult": (1.5, "planted infant - adult rating difference (scale "
                                  "points, every scale)"),
    "rating_infant_minus_adult_sd": (0.5, "between-participant SD of the infant - adult "
                                     "difference (gives the salience scores a reliability)"),
    "rating_distress_minus_neutral": (-1.0, "planted distress - neutral rating difference"),
    "rating_baby_schema_slope": (0.3, "planted rating change per baby-schema level"),
    "rating_sd": (0.5, "between-participant SD of the rating level"),
    "rating_more_change": (0.5, "planted pre-to-post change of infant-face ratings, MORE group"),
    "rating_control_change": (0.0, "planted pre-to-post change of infant-face ratings, "
                              "control group"),
}


def responder_from_spec(spec: str | None):
    from tasks.paradigms.rating.simulate import parse_spec
    return parse_spec(spec)


def cohort_responder(effects: dict, *, group: str, session: str, person_rng, session_rng):
    from tasks.paradigms.rating.simulate import RatingResponder
    offset = effects["rating_sd"] * person_rng.standard_normal()
    salience = effects["rating_infant_minus_adult"] + \
        effects["rating_infant_minus_adult_sd"] * person_rng.standard_normal()
    change = 0.0
    if session == "post":
        change = effects["rating_more_change"] if group == "MORE" \
            else effects["rating_control_change"]
    return RatingResponder(infant_minus_adult=float(salience),
                           distress_minus_neutral=effects["rating_distress_minus_neutral"],
                           baby_schema_slope=effects["rating_baby_schema_slope"],
                           offset=float(offset), infant_change=float(change))
