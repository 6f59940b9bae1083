"""The key-press ("wanting") paradigm (Aharon et al. 2001; Parsons et al. 2011).

Trial: fixation -> a face for ``default_ms`` unless the participant changes it:
alternate presses of the increase pair lengthen, of the decrease pair shorten the
remaining time by ``step_ms`` (rule: ``design.PressRule``) -> blank.  One row per face:
the viewing time from flip time stamps, the counted presses, the response class and the
press log.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasks.core.messages import catalogue_of
from tasks.core.paradigm import Effect, Paradigm, Person, Plan, RunContext, TrialRow, planted_person
from tasks.core.screens import Image, Text
from tasks.core.stimulus_plan import check_stimuli, fixation, plan_trials, timed_screen
from tasks.core.stimulus_pools import stim_fields
from tasks.core.simulated_spec import parse_spec

from .columns import COLUMNS
from .design import build_design, describe, format_log, response_class, rule_for
from .params import PARAMS
from .simulate import KeypressResponder

EFFECTS = (
    Effect("keypress_infant_minus_adult_ms", 800.0, "planted infant - adult viewing-time "
           "change wanted (ms)"),
    Effect("keypress_infant_minus_adult_sd_ms", 200.0, "between-participant SD of the infant - "
           "adult difference (ms)"),
    Effect("keypress_baby_schema_slope_ms", 200.0, "planted viewing-time change per "
           "baby-schema level (ms)"),
    Effect("keypress_sd_ms", 300.0, "between-participant SD of the wanted viewing-time change "
           "(ms)"),
    Effect("keypress_more_change_ms", 400.0, "planted pre-to-post change of infant-face viewing "
           "time, MORE group (ms)"),
    Effect("keypress_control_change_ms", 0.0, "planted pre-to-post change of infant-face "
           "viewing time, control group (ms)"),
)


def check(config) -> list[str]:
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


def plan(config, participant: str, session: str, seed: int | None = None) -> Plan:
    return plan_trials(config, participant, session, seed, "image", build_design,
                       levels_key="baby_schema_levels",
                       settings={"default_ms": config.params["default_ms"]})


def plan_rows(the_plan: Plan) -> list[dict]:
    return describe(list(the_plan.trials), the_plan.settings["default_ms"])


def instructions(config, the_plan: Plan) -> str:
    p = config.params
    n = sum(t.phase == "practice" for t in the_plan.trials)
    i1, i2 = (k.upper() for k in p["increase_keys"])
    d1, d2 = (k.upper() for k in p["decrease_keys"])
    messages = catalogue_of(config.station)
    start = messages.text("keypress.start_practice", n=n) if n else messages.text("trial.start")
    return messages.text("keypress.instructions", i1=i1, i2=i2, d1=d1, d2=d2, start=start)


def text_rows(image_height_deg: float, device: str) -> tuple[float, float]:
    """(reminder, feedback) heights in degrees: under the face; with touch input the
    "less" / "more" buttons take the bottom row, so both go above the face.

    >>> text_rows(12.5, "keyboard"), text_rows(12.5, "touch")
    ((-7.45, -8.65), (7.15, 8.25))
    """
    if device == "touch":
        above = image_height_deg / 2 + 0.9
        return above, round(above + 1.1, 4)
    below = -(image_height_deg / 2 + 1.2)
    return below, round(below - 1.2, 4)


def trial_texts(params, messages) -> tuple[Text, dict]:
    """The reminder and the feedback texts shown with the face (``messages``: the
    station's catalogue, with touch forms for a touch input)."""
    reminder_y, feedback_y = text_rows(params["image_height_deg"], messages.input)
    i1, i2 = (k.upper() for k in params["increase_keys"])
    d1, d2 = (k.upper() for k in params["decrease_keys"])
    reminder = Text(messages.text("keypress.reminder", i1=i1, i2=i2, d1=d1, d2=d2),
                    reminder_y, "auto", 0.7)
    said = {"+": messages.text("keypress.longer"), "-": messages.text("keypress.sooner"),
            "0": messages.text("keypress.take_turns")}
    feedback = {sign: Text(text, feedback_y, "auto", 0.7) for sign, text in said.items()}
    return reminder, feedback


def present(trial, engine, planned, run: RunContext) -> list[TrialRow]:
    p = run.params
    dropped = fixation(engine, p["fixation_ms"])
    rule = rule_for(p)
    reminder, feedback = trial_texts(p, run.catalogue)
    result = engine.present_adjustable((Image(trial.stim.stim_id, 0.0, 0.0), reminder), rule,
                                       planned, feedback)
    dropped += result.dropped_frames + timed_screen(engine, "iti", (), p["iti_ms"])
    return [TrialRow(result.onset_s, result.offset_s - result.onset_s, dropped, {
        **stim_fields(trial.stim), "default_ms": p["default_ms"],
        "viewing_time_ms": result.viewing_time_ms, "n_increase": rule.n_increase,
        "n_decrease": rule.n_decrease,
        "response_class": response_class(rule.n_increase, rule.n_decrease),
        "press_log": format_log(result.log)})]


@dataclass
class PlannedPresses:
    """The one responder signature for the key-press presser: the presses of one face
    under the config's press rule."""

    presser: KeypressResponder
    params: dict

    def respond(self, trial, rng) -> list[tuple[str, float]]:
        return self.presser.plan(trial.stim, rule_for(self.params), rng)

    def describe(self) -> dict:
        return self.presser.describe()


def responder(spec: str | None, config) -> PlannedPresses:
    return PlannedPresses(parse_spec(spec, KeypressResponder), dict(config.params))


def cohort_responder(effects, person: Person, config) -> PlannedPresses:
    offset, salience, change = planted_person(
        effects, "keypress", person, level="keypress_sd_ms",
        salience="keypress_infant_minus_adult_ms")
    presser = KeypressResponder(infant_minus_adult_ms=salience,
                                baby_schema_slope_ms=effects["keypress_baby_schema_slope_ms"],
                                offset_ms=offset, infant_change_ms=change)
    return PlannedPresses(presser, dict(config.params))


PARADIGM = Paradigm(
    params=PARAMS, columns=COLUMNS, effects=EFFECTS, check=check, plan=plan,
    plan_rows=plan_rows, instructions=instructions, present=present, responder=responder,
    cohort_responder=cohort_responder,
    description='"wanting": key presses to lengthen or shorten the viewing of a face')
