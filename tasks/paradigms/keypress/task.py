"""The key-press ("wanting") task (Aharon et al. 2001; Parsons et al. 2011).

Trial: fixation -> a face for ``default_ms`` unless the participant changes it:
alternate presses of the increase pair lengthen, of the decrease pair shorten the
remaining time by ``step_ms`` (rule: ``tasks.paradigms.keypress.design.PressRule``) ->
blank.  One row per face: the viewing time from flip time stamps, the counted
presses, the response class and the press log.
"""

from __future__ import annotations


from tasks.core.screens import Fixation, Image, Screen
from tasks.paradigms.keypress.design import (build_design, describe, format_log, response_class,
                                   rule_for)
from tasks.paradigms.keypress.params import NAME, PARAMS  # noqa: F401  (declarations re-exported)
from tasks.core.task_flow import Messages, check_stimuli, plan_trials, with_abort
from tasks.core.stimulus_pools import stim_fields

INSTRUCTIONS = (
    "Welcome, and thank you for taking part.\n\n"
    "You will see pictures of faces, one at a time: babies and adults.\n"
    "Each picture stays on the screen for a few seconds.\n\n"
    "If you would like to see a picture for LONGER, tap the {i1} and {i2} keys one after "
    "the other ({i1}, {i2}, {i1}, {i2} ...).\n"
    "If you would like it to go away SOONER, tap the {d1} and {d2} keys one after the other.\n"
    "Pressing the same key again and again does nothing - the two keys must take turns.\n"
    "If you do nothing, the picture stays for the usual time.\n\n"
    "There are no right or wrong answers.\n\n"
    "Press the SPACE bar to start{practice}.")


def check_config(config) -> list[str]:
    p = config.params
    problems = []
    keys = list(p["increase_keys"]) + list(p["decrease_keys"])
    if len(set(keys)) != 4:
        problems.append(f"params.increase_keys / params.decrease_keys: the four keys must all "
                        f"differ, got {p['increase_keys']} and {p['decrease_keys']}")
    abort_key = config.station["abort_key"]
    if abort_key in keys:
        problems.append(f"params: the abort key {abort_key!r} (station.abort_key) cannot also "
                        "be a response key")
    max_ms = p["max_ms"] if p["max_ms"] is not None else 2 * p["default_ms"]
    if not p["min_ms"] <= p["default_ms"] <= max_ms:
        problems.append(f"params.min_ms / default_ms / max_ms: need min_ms <= default_ms <= "
                        f"max_ms, got {p['min_ms']}, {p['default_ms']}, {max_ms}")
    return problems + check_stimuli(config, "image", levels_key="baby_schema_levels")


def plan(config, participant: str, session: str, seed: int | None = None) -> dict:
    the_plan = plan_trials(config, NAME, participant, session, seed, "image", build_design,
                       levels_key="baby_schema_levels")
    the_plan["default_ms"] = config.params["default_ms"]
    return the_plan


def plan_rows(the_plan: dict) -> list[dict]:
    return describe(the_plan["trials"], the_plan["default_ms"])


def prepare(config, the_plan: dict, engine) -> None:
    """Slow work before the sidecar is written: load every stimulus the plan needs
    (``run`` loads again only what is missing)."""
    p = config.params
    engine.preload_images(the_plan["paths"], (p["image_width_deg"], p["image_height_deg"]))


def run(config, the_plan: dict, engine, writer, *, responder=None, sim_rng=None,
        start_index: int = 1, log=print) -> None:
    p = config.params
    engine.preload_images(the_plan["paths"], (p["image_width_deg"], p["image_height_deg"]))
    trials = the_plan["trials"]
    msg = Messages(engine, config, responder, sim_rng)
    n_practice = sum(t.phase == "practice" for t in trials)
    i1, i2 = (k.upper() for k in p["increase_keys"])
    d1, d2 = (k.upper() for k in p["decrease_keys"])
    msg.show(INSTRUCTIONS.format(i1=i1, i2=i2, d1=d1, d2=d2,
                                 practice=f" with {n_practice} practice pictures"
                                 if n_practice else ""))
    index = start_index
    for trial in trials:
        msg.before(trial, p["n_blocks"])
        face = Image(trial.stim.stim_id, 0.0, 0.0)
        if p["fixation_ms"]:
            with_abort(engine, lambda: engine.run_sequence(
                [Screen("fixation", (Fixation(),), float(p["fixation_ms"]))]))

        def present():
            rule = rule_for(p)
            planned = responder.plan(trial.stim, rule_for(p), sim_rng) if responder else None
            return rule, engine.present_adjustable((face,), rule, planned)

        rule, result = with_abort(engine, present)
        writer.append({
            "onset": result.onset_s, "duration": result.offset_s - result.onset_s,
            "trial_index": index, "phase": trial.phase, "block": trial.block,
            **stim_fields(trial.stim), "default_ms": p["default_ms"],
            "viewing_time_ms": result.viewing_time_ms, "n_increase": rule.n_increase,
            "n_decrease": rule.n_decrease,
            "response_class": response_class(rule.n_increase, rule.n_decrease),
            "press_log": format_log(result.log)})
        index += 1
        if p["iti_ms"]:
            with_abort(engine, lambda: engine.run_sequence(
                [Screen("iti", (), float(p["iti_ms"]))]))
    msg.end()


# -- simulated participants ----------------------------------------------------
EFFECTS = {
    "keypress_infant_minus_adult_ms": (800.0, "planted infant - adult viewing-time change "
                                       "wanted (ms)"),
    "keypress_infant_minus_adult_sd_ms": (200.0, "between-participant SD of the infant - adult "
                                          "difference (ms)"),
    "keypress_baby_schema_slope_ms": (200.0, "planted viewing-time change per baby-schema "
                                      "level (ms)"),
    "keypress_sd_ms": (300.0, "between-participant SD of the wanted viewing-time change (ms)"),
    "keypress_more_change_ms": (400.0, "planted pre-to-post change of infant-face viewing "
                                "time, MORE group (ms)"),
    "keypress_control_change_ms": (0.0, "planted pre-to-post change of infant-face viewing "
                                   "time, control group (ms)"),
}


def responder_from_spec(spec: str | None):
    from tasks.paradigms.keypress.simulate import KeypressResponder
    from tasks.paradigms.rating.simulate import parse_spec
    return parse_spec(spec, KeypressResponder)


def cohort_responder(effects: dict, *, group: str, session: str, person_rng, session_rng):
    from tasks.paradigms.keypress.simulate import KeypressResponder
    offset = effects["keypress_sd_ms"] * person_rng.standard_normal()
    salience = effects["keypress_infant_minus_adult_ms"] + \
        effects["keypress_infant_minus_adult_sd_ms"] * person_rng.standard_normal()
    change = 0.0
    if session == "post":
        change = effects["keypress_more_change_ms"] if group == "MORE" \
            else effects["keypress_control_change_ms"]
    return KeypressResponder(infant_minus_adult_ms=float(salience),
                             baby_schema_slope_ms=effects["keypress_baby_schema_slope_ms"],
                             offset_ms=float(offset), infant_change_ms=float(change))
