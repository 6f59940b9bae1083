"""Free viewing with an eye tracker (contract §6): config checks, the plan, one trial, the
simulated participant.

Trial: a central cross that waits for the gaze (within ``fixation_radius_deg`` for
``fixation_hold_ms``; after ``fixation_timeout_ms`` the display starts anyway and
``drift_check`` says ``timeout``) -> a display of pictures for ``view_ms`` -> a blank
inter-trial interval.  ``onset`` is the display's first flip, ``duration`` runs to the
flip that ends it.  The gaze (recording ``eye1``) is written as BIDS physio, each
trial's samples before its events row.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from icb.errors import StimulusError
from tasks.core.gaze import GazeSpec
from tasks.core.messages import catalogue_of
from tasks.core.paradigm import Effect, Paradigm, Person, Plan, RunContext, TrialRow
from tasks.core.screens import Fixation, Image, Screen
from tasks.core.stimulus_plan import seed_and_set
from tasks.core.stimulus_pools import cell_problems, check_files, pools_for

from .columns import COLUMNS
from .design import (AOI_NAMES, LAYOUT_PLACES, FreeviewTrial, aois_px, build_design, describe,
                     picture_size_deg, split_type)
from .params import PARAMS
from .simulate import FreeviewResponder, parse_spec

EFFECTS = (
    Effect("dwell_share", 0.6, "planted pre-session share of viewing time on the target "
           "category (all display types)"),
    Effect("dwell_share_sd", 0.08, "between-participant SD of the planted share"),
    Effect("dwell_share_more_change", 0.08, "planted pre-to-post change of the share in the "
           "MORE group"),
    Effect("dwell_share_control_change", 0.0, "planted pre-to-post change of the share in the "
           "control group"),
)

# station.eye_tracker -> (PsychoPy plugin module, pip extra) of the hardware trackers
PLUGINS = {"eyelink": ("psychopy_eyetracker_sr_research", "eyelink"),
           "tobii": ("psychopy_eyetracker_tobii", "tobii"),
           "gazepoint": ("psychopy_eyetracker_gazepoint", "gazepoint")}


def _cells(params: dict) -> list[str]:
    cells = [c for t in params["trial_types"] for c in split_type(t)]
    if params["practice_trials"]:
        cells.append(params["practice_category"])
    return sorted(set(cells))


def _pools(params: dict, manifest, stim_set: str) -> tuple[dict, dict]:
    sets = ["A", "B"] if stim_set == "all" else [stim_set]
    pools: dict[str, list[str]] = {}
    paths: dict = {}
    for one in sets:
        found, found_paths = pools_for(manifest, "image", _cells(params), one)
        for cell, stims in found.items():
            pools.setdefault(cell, []).extend(s.stim_id for s in stims)
        paths.update(found_paths)
    return pools, paths


def _tracker_problems(station: dict) -> list[str]:
    tracker = station["eye_tracker"]
    if tracker == "none":
        return ["station.eye_tracker: none; the freeview paradigm records gaze; allowed: "
                "mousegaze (ioHub's simulated tracker: the mouse is the gaze), eyelink, tobii "
                "or gazepoint (see docs/platform.md, 'Eye trackers')"]
    if tracker in PLUGINS and importlib.util.find_spec(PLUGINS[tracker][0]) is None:
        module, extra = PLUGINS[tracker]
        return [f"station.eye_tracker: {tracker}: its ioHub plugin ({module}) is not "
                f"installed; install it with `.venv/bin/pip install '.[{extra}]'`"]
    return []


def check(config) -> list[str]:
    p = config.params
    problems = _tracker_problems(config.station)
    if p["n_blocks"] > p["n_trials"]:
        problems.append(f"params.n_blocks: {p['n_blocks']} blocks for {p['n_trials']} trials; "
                        "allowed: at most one block per trial (n_blocks <= n_trials)")
    if p["iti_min_ms"] > p["iti_max_ms"]:
        problems.append(f"params.iti_min_ms: {p['iti_min_ms']} is larger than params.iti_max_ms "
                        f"({p['iti_max_ms']}); allowed: iti_min_ms <= iti_max_ms")
    for trial_type in p["trial_types"]:
        target, comparison = split_type(trial_type)
        if not comparison or target == comparison:
            problems.append(f"params.trial_types: bad display type {trial_type!r}; allowed: "
                            "'<target category>_<valence>-<comparison category>_<valence>' "
                            "with two different sides, e.g. 'infant_neutral-adult_neutral'")
    problems += cell_problems(_cells(p), "image", where="params.trial_types")
    if problems:
        return problems
    from tasks.stimulus_factory.manifest import load_manifest
    try:
        manifest = load_manifest(config.manifest_path)
    except StimulusError as exc:
        return [f"station.stimulus_manifest: {msg}" for msg in exc.problems]
    half = len(LAYOUT_PLACES[p["layout"]]) // 2
    sets = ["A", "B"] if p["stimulus_set"] == "auto" else [p["stimulus_set"]]
    for stim_set in sets:
        try:
            pools, paths = _pools(p, manifest, stim_set)
        except StimulusError as exc:
            problems += exc.problems
            continue
        for cell, ids in sorted(pools.items()):
            if len(ids) < half:
                problems.append(
                    f"params.layout: {p['layout']} shows {half} pictures of {cell} at once; "
                    f"stimulus set {stim_set} has {len(ids)}; allowed: a layout with fewer "
                    "places, stimulus_set: all, or a set with more pictures")
        problems += check_files(paths, "image", manifest)
    return problems


def plan(config, participant: str, session: str, seed: int | None) -> Plan:
    from tasks.stimulus_factory.manifest import load_manifest
    p = config.params
    seed, stim_set = seed_and_set(p, config.label, participant, session, seed)
    if p["stimulus_set"] == "all":
        stim_set = "all"
    pools, paths = _pools(p, load_manifest(config.manifest_path), stim_set)
    trials = build_design(p, pools, np.random.default_rng(seed))
    used = {pl.stim_id for t in trials for pl in t.places}
    return Plan(seed=int(seed), stimulus_set=stim_set, trials=tuple(trials),
                images={k: v for k, v in paths.items() if k in used},
                image_size_deg=picture_size_deg(p), recordings=("eye1",),
                settings={"gaze": GazeSpec(float(p["fixation_radius_deg"]),
                                           float(p["fixation_hold_ms"]),
                                           float(p["fixation_timeout_ms"]))})


def plan_rows(the_plan: Plan) -> list[dict]:
    return describe(list(the_plan.trials))


def instructions(config, the_plan: Plan) -> str:
    return catalogue_of(config.station).text("freeview.instructions")


def recording_provenance(config, the_plan: Plan, recording: dict) -> dict:
    """``Provenance.AOIs`` (pixels, margin included) and the layout."""
    return {"AOIs": aois_px(config.params, recording["PixelsPerDegree"]),
            "Layout": config.params["layout"]}


def present(trial: FreeviewTrial, engine, planned, run: RunContext) -> list[TrialRow]:
    p = run.params
    screens = [Screen("fixation", (Fixation(),), None),
               Screen("display", tuple(Image(pl.stim_id, pl.x_deg, pl.y_deg)
                                       for pl in trial.places), float(p["view_ms"])),
               Screen("iti", (), float(trial.iti_ms))]
    result = engine.view(screens, run.plan.settings["gaze"], planned)
    display_on = result.onsets_s["display"]
    messages = [(result.onsets_s["fixation"], 0.0, "message", "fixation cross"),
                (display_on, 0.0, "message", f"display {trial.trial_type}")]
    events = sorted(messages + list(result.events))
    placed = {pl.aoi: pl for pl in trial.places}
    columns = {"trial_type": trial.trial_type, "layout": trial.layout,
               "view_ms": float(p["view_ms"]), "view_actual_ms": result.actual_ms("display", "iti"),
               "drift_check": result.drift_check}
    for name in AOI_NAMES:
        columns[f"stim_{name}"] = placed[name].stim_id if name in placed else None
        columns[f"category_{name}"] = placed[name].cell if name in placed else None
    return [TrialRow(display_on, result.end_s - display_on, result.dropped_frames, columns,
                     {"eye1": (result.samples, events)})]


def responder(spec: str | None, config) -> FreeviewResponder:
    return parse_spec(spec, config.params["view_ms"])


def cohort_responder(effects, person: Person, config) -> FreeviewResponder:
    """One participant x session: the person's share is drawn from ``person.person_rng``
    (the same in every session), plus the planted change of the person's group."""
    rng = person.person_rng
    share = effects["dwell_share"] + effects["dwell_share_sd"] * rng.standard_normal()
    if person.session == "post":
        share += effects["dwell_share_more_change"] if person.group == "MORE" \
            else effects["dwell_share_control_change"]
    return FreeviewResponder(share=float(np.clip(share, 0.02, 0.98)),
                             mu_ms=float(max(120.0, 220.0 + 30.0 * rng.standard_normal())),
                             view_ms=float(config.params["view_ms"]))


PARADIGM = Paradigm(
    params=PARAMS, columns=COLUMNS, effects=EFFECTS, check=check, plan=plan,
    plan_rows=plan_rows, instructions=instructions, present=present, responder=responder,
    cohort_responder=cohort_responder, after_practice="freeview.after_practice",
    recording_provenance=recording_provenance,
    description="attention to infant faces by free viewing with an eye tracker (dwell time)")
