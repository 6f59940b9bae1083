"""The one trial loop every paradigm runs through.

instructions -> for each planned trial: the screen due before it (end of practice, a
break between blocks) -> the paradigm's ``present`` (the simulated participant's plan
made anew for each attempt) -> the abort key asks the experimenter: end the run
(``Aborted``) or show the interrupted trial again from its start -> the trial's rows,
stamped with the common head and appended (fsynced) one by one -> the end screen.
"""

from __future__ import annotations

from tasks.core.engine import Engine
from tasks.core.markers import RUN_END
from tasks.core.messages import catalogue_of
from tasks.core.paradigm import Paradigm, Plan, RunContext, TrialRow
from tasks.core.screens import PlannedResponse
from icb.errors import Aborted, AbortRequested


def n_test_blocks(plan: Plan) -> int:
    return max((t.block for t in plan.trials if t.phase == "test"), default=0)


class BetweenTrials:
    """Instructions, end of practice, breaks and the end screen of one run."""

    def __init__(self, engine: Engine, config, plan: Plan, paradigm: Paradigm, responder,
                 sim_rng):
        self.engine, self.config, self.plan = engine, config, plan
        self.paradigm, self.responder, self.sim_rng = paradigm, responder, sim_rng
        self.messages = catalogue_of(config.station)
        self.previous_phase = self.previous_block = None
        self.total = n_test_blocks(plan)

    def planned_space(self) -> PlannedResponse | None:
        if self.responder is None:
            return None
        return PlannedResponse("space", float(self.sim_rng.uniform(300, 900)))

    def show(self, text: str) -> None:
        self.engine.show_message(text, planned=self.planned_space())

    def before(self, trial) -> None:
        """The screen (if any) due before ``trial``."""
        if trial.phase == "test" and self.previous_phase == "practice":
            text = self.messages
            self.show(f"{text.text(self.paradigm.after_practice)}\n\n{text.text('trial.start')}")
        elif trial.phase == "test" and self.previous_block is not None \
                and trial.block != self.previous_block:
            self.engine.pause_screen(
                self.messages.text("trial.break", done=self.previous_block, total=self.total),
                min_s=self.config.station["break_min_s"],
                prompt=self.messages.text("trial.continue"), planned=self.planned_space())
        self.previous_phase, self.previous_block = trial.phase, trial.block

    def end(self) -> None:
        self.show(self.messages.text("trial.end"))


def present_until_done(paradigm: Paradigm, trial, engine: Engine, run: RunContext, responder,
                       sim_rng, on_attempt=None) -> list[TrialRow]:
    """``paradigm.present`` until the trial is shown whole; the abort key asks for
    confirmation: end the run, or show the trial again from its start."""
    while True:
        if on_attempt is not None:
            on_attempt()
        planned = responder.respond(trial, sim_rng) if responder is not None else None
        try:
            return paradigm.present(trial, engine, planned, run)
        except AbortRequested:
            if engine.confirm_abort():
                raise Aborted("aborted by the experimenter") from None


def stamp(row: TrialRow, index: int, trial, device: str = "keyboard") -> dict:
    """The events row: the common head, then the paradigm's columns, and the
    ``response_device`` (``station.input``) last."""
    return {"onset": row.onset_s, "duration": row.duration_s, "trial_index": index,
            "phase": trial.phase, "block": trial.block, "dropped_frames": row.dropped_frames,
            **row.columns, "response_device": device}


def run_trials(paradigm: Paradigm, config, plan: Plan, engine: Engine, writer, *,
               responder=None, sim_rng=None, markers=None, on_trial_end=None) -> int:
    """Present every planned trial and append its rows; return the number of rows.

    ``markers`` (``tasks.core.markers.Markers``, the engine's) learns where each trial's
    rows start; ``on_trial_end()`` runs when a trial has been shown, before its rows are
    written (the LSL recording's flush: every row has its samples).  Raises ``Aborted`` when the experimenter ends the run (the
    rows so far are kept).
    """
    screens = BetweenTrials(engine, config, plan, paradigm, responder, sim_rng)
    run = RunContext(config, plan, screens.messages)
    screens.show(paradigm.instructions(config, plan))
    index = 1
    for trial in plan.trials:
        screens.before(trial)
        first_row = index
        rows = present_until_done(paradigm, trial, engine, run, responder, sim_rng,
                                  None if markers is None else
                                  lambda: markers.begin_trial(first_row))
        if markers is not None:
            markers.end_trial()
        if on_trial_end is not None:
            on_trial_end()
        for row in rows:
            writer.append(stamp(row, index, trial, config.station.get("input", "keyboard")),
                          row.recordings)
            index += 1
    screens.end()
    if markers is not None:
        markers.event(RUN_END, engine.last_flip_s() or 0.0)
    return index - 1
