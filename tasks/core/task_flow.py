"""Parts shared by the rating, key-press and cry-rating tasks: the plan's seed and
stimulus set, config checks of categories and stimuli, and the screens between
trials (instructions, end of practice, breaks) with the abort confirmation."""

from __future__ import annotations

from tasks.core import counterbalance
from tasks.core.screens import PlannedResponse
from icb.errors import Aborted, AbortRequested, StimulusError
from tasks.core.stimulus_pools import cell_problems, check_files, pools_for

AFTER_PRACTICE = ("Well done - that was the practice.\n\nNow the real task begins. It works "
                  "the same way.\n\nPress the SPACE bar to start.")
BREAK = ("Time for a short break.\n\nYou have finished part {done} of {total}.\n"
         "Rest as long as you like.\n\nPress the SPACE bar when you are ready to go on.")
THE_END = "Thank you! This task is finished.\n\nPlease let the experimenter know."


def seed_and_set(params: dict, task: str, participant: str, session: str,
                 seed: int | None) -> tuple[int, str]:
    if seed is None:
        seed = params["seed"] if params["seed"] is not None else counterbalance.default_seed(
            participant, session, task)
    stim_set = params["stimulus_set"] if params["stimulus_set"] != "auto" else \
        counterbalance.stimulus_set_for(participant, session)
    return int(seed), stim_set


def plan_trials(config, task: str, participant: str, session: str, seed: int | None,
                modality: str, build_design, *, levels_key: str | None = None) -> dict:
    """The plan of a task that shows stimuli one at a time: seed, stimulus set, the trial
    list from ``build_design(params, pools, practice_pool, rng)`` and the paths it uses."""
    import numpy as np
    seed, stim_set = seed_and_set(config.params, task, participant, session, seed)
    pools, practice_pool, paths = load_pools(config, modality, stim_set, levels_key=levels_key)
    trials = build_design(config.params, pools, practice_pool, np.random.default_rng(seed))
    used = {t.stim.stim_id for t in trials}
    return {"seed": seed, "stimulus_set": stim_set, "trials": trials,
            "paths": {k: v for k, v in paths.items() if k in used}}


def load_pools(config, modality: str, stim_set: str, *, levels_key: str | None = None):
    """(pools per cell, practice pool, paths) of one stimulus set."""
    from tasks.stimulus_factory.manifest import load_manifest
    p = config.params
    manifest = load_manifest(config.manifest_path)
    levels = list(p.get(levels_key) or []) if levels_key else []
    cells = list(p["categories"])
    practice_cell = p.get("practice_category")
    extra = [practice_cell] if practice_cell and p.get("practice_trials") and \
        practice_cell not in cells else []
    pools, paths = pools_for(manifest, modality, cells + extra, stim_set,
                             baby_schema_levels=levels)
    practice_pool = pools.pop(extra[0]) if extra else (
        pools[practice_cell] if practice_cell in pools else [])
    if extra:
        kept = {s.stim_id for pool in pools.values() for s in pool}
        practice_ids = {s.stim_id for s in practice_pool}
        paths = {k: v for k, v in paths.items() if k in kept or k in practice_ids}
    return pools, practice_pool, paths


def check_stimuli(config, modality: str, *, levels_key: str | None = None) -> list[str]:
    """Category names, then every stimulus of every set the config can use."""
    p = config.params
    cells = list(p["categories"])
    if p.get("practice_category") and p.get("practice_trials"):
        cells.append(p["practice_category"])
    problems = cell_problems(cells, modality, where="params.categories")
    if problems:
        return problems
    sets = ["A", "B"] if p["stimulus_set"] == "auto" else [p["stimulus_set"]]
    try:
        from tasks.stimulus_factory.manifest import load_manifest
        load_manifest(config.manifest_path)
    except StimulusError as exc:
        return [f"station.stimulus_manifest: {msg}" for msg in exc.problems]
    for stim_set in sets:
        try:
            _, _, paths = load_pools(config, modality, stim_set, levels_key=levels_key)
        except StimulusError as exc:
            problems += exc.problems
            continue
        problems += check_files(paths, modality)
    return problems


def with_abort(engine, action):
    """Run ``action()``; on the abort key ask for confirmation: end the run, or do the
    interrupted step again from its start."""
    while True:
        try:
            return action()
        except AbortRequested:
            if engine.confirm_abort():
                raise Aborted("aborted by the experimenter") from None


class Messages:
    """Instructions, end of practice, breaks and the end screen of one run."""

    def __init__(self, engine, config, responder, sim_rng):
        self.engine, self.config = engine, config
        self.responder, self.sim_rng = responder, sim_rng
        self.previous_phase = self.previous_block = None

    def planned_space(self):
        if self.responder is None:
            return None
        return PlannedResponse("space", float(self.sim_rng.uniform(300, 900)))

    def show(self, text: str, min_s: float = 0.0) -> None:
        self.engine.show_message(text, min_s=min_s, planned=self.planned_space())

    def before(self, trial, n_blocks: int) -> None:
        """The message (if any) due before ``trial``."""
        if trial.phase == "test" and self.previous_phase == "practice":
            self.show(AFTER_PRACTICE)
        elif trial.phase == "test" and self.previous_block is not None \
                and trial.block != self.previous_block:
            self.show(BREAK.format(done=self.previous_block, total=n_blocks),
                      min_s=self.config.station["break_min_s"])
        self.previous_phase, self.previous_block = trial.phase, trial.block

    def end(self) -> None:
        self.show(THE_END)
