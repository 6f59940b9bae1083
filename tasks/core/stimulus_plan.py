"""Plans of the paradigms that show stimuli one at a time (rating, key-press, cry rating):
the seed and stimulus set, the pools of one set, the trial list, the config checks of
categories and stimuli; and the screens those paradigms share within a trial."""

from __future__ import annotations

from icb.errors import StimulusError
from tasks.core import counterbalance
from tasks.core.paradigm import Plan
from tasks.core.screens import Fixation, Screen
from tasks.core.stimulus_pools import cell_problems, check_files, pools_for

def seed_and_set(params: dict, task: str, participant: str, session: str,
                 seed: int | None) -> tuple[int, str]:
    if seed is None:
        seed = params["seed"] if params["seed"] is not None else counterbalance.default_seed(
            participant, session, task)
    stim_set = params["stimulus_set"] if params["stimulus_set"] != "auto" else \
        counterbalance.stimulus_set_for(participant, session)
    return int(seed), stim_set


def plan_trials(config, participant: str, session: str, seed: int | None, modality: str,
                build_design, *, levels_key: str | None = None, settings=None) -> Plan:
    """The plan of a paradigm that shows stimuli one at a time: seed, stimulus set, the
    trial list from ``build_design(params, pools, practice_pool, rng)`` and the files it
    uses (pictures at the params' ``image_width_deg`` x ``image_height_deg``)."""
    import numpy as np
    p = config.params
    seed, stim_set = seed_and_set(p, config.label, participant, session, seed)
    pools, practice_pool, paths = load_pools(config, modality, stim_set, levels_key=levels_key)
    trials = build_design(p, pools, practice_pool, np.random.default_rng(seed))
    used = {t.stim.stim_id: paths[t.stim.stim_id] for t in trials}
    if modality == "audio":
        return Plan(seed, stim_set, tuple(trials), sounds=used, settings=settings or {})
    return Plan(seed, stim_set, tuple(trials), images=used,
                image_size_deg=(p["image_width_deg"], p["image_height_deg"]),
                settings=settings or {})


def timed_screen(engine, name: str, items: tuple, duration_ms: float) -> int:
    """One screen for ``duration_ms`` (nothing when 0); its dropped frames."""
    if not duration_ms:
        return 0
    return engine.run_sequence([Screen(name, items, float(duration_ms))]).dropped_frames


def fixation(engine, duration_ms: float) -> int:
    return timed_screen(engine, "fixation", (Fixation(),), duration_ms)


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
        manifest = load_manifest(config.manifest_path)
    except StimulusError as exc:
        return [f"station.stimulus_manifest: {msg}" for msg in exc.problems]
    for stim_set in sets:
        try:
            _, _, paths = load_pools(config, modality, stim_set, levels_key=levels_key)
        except StimulusError as exc:
            problems += exc.problems
            continue
        problems += check_files(paths, modality, manifest)
    return problems
