"""The paradigm interface: what one folder under ``tasks/paradigms/`` declares.

A paradigm is the code of a task; a *label* is one configured use of it (contract §3).
``tasks/paradigms/<name>/paradigm.py`` defines ``PARADIGM = Paradigm(...)``, declaring
once, like a jsPsych plugin's ``info``:

- ``params``: its parameters (``icb.params.Param``), checked in every config;
- ``columns``: its own events columns, after the head the framework stamps
  (``icb.columns.COMMON_HEAD``: onset, duration, trial_index, phase, block; plus
  ``dropped_frames``, stamped where the paradigm lists it, else last);
- ``effects``: the planted effects ``icb simulate --effect`` may set;
- ``check(config) -> list[str]``: problems beyond single-parameter limits (every stimulus);
- ``plan(config, participant, session, seed) -> Plan``: the frozen trial list (pure data
  from an explicit ``numpy.random.Generator``);
- ``plan_rows(plan) -> list[dict]``: the plan as rows (``icb validate --plan``);
- ``instructions(config, plan) -> str``: the first screen, in the station's language
  (``tasks.core.messages.catalogue_of(config.station)``; every participant-facing text is a
  message id of ``configs/lang/<language>.yaml``);
- ``present(trial, engine, planned, run) -> list[TrialRow]``: shows one trial through the
  engine protocol and returns its rows (its own columns; the loop stamps the head);
- ``responder(spec, config)`` and ``cohort_responder(effects, person, config)``: the
  simulated participant (``Responder``: ``respond(trial, rng)``, ``describe()``), from
  ``--simulate SPEC`` and from a simulated cohort;
- optionally ``recording_provenance(config, plan, recording) -> dict``: more Provenance
  keys once the engine has started the plan's ``recordings`` (``Plan.recordings``: e.g.
  ``("eye1",)``, gaze through ``Engine.start_gaze``; each trial's samples come back in
  ``TrialRow.recordings`` and are written as BIDS physio before the trial's row).

The paradigm's name is its folder's name: copying a folder under a new name makes a new
paradigm with no other file touched (imports inside a folder are relative).
:func:`load` finds a paradigm; :func:`names` lists them.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol

import numpy as np

from icb.columns import COMMON_HEAD, DROPPED_FRAMES, RESPONSE_DEVICE, Column
from icb.errors import ConfigError
from icb.params import Param

PARADIGMS_PACKAGE = "tasks.paradigms"
PARADIGMS_DIR = Path(__file__).resolve().parent.parent / "paradigms"


@dataclass(frozen=True)
class Effect:
    """A planted effect of a simulated cohort (``icb simulate --effect NAME=VALUE``)."""

    name: str
    default: float
    doc: str


@dataclass(frozen=True)
class Plan:
    """Everything decided before the window opens (recorded in the sidecar).

    ``trials`` are the paradigm's own frozen trial objects, each with ``phase`` and
    ``block``; ``images`` / ``sounds`` map stimulus ids to files, all preloaded before the
    sidecar is written; ``settings`` holds what the paradigm derived for presenting (key
    mapping, response keys, scales), as frozen values.
    """

    seed: int
    stimulus_set: str | None
    trials: tuple
    images: Mapping[str, Path] = field(default_factory=dict)
    image_size_deg: tuple[float, float] | None = None
    sounds: Mapping[str, Path] = field(default_factory=dict)
    key_mapping: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    recordings: tuple[str, ...] = ()  # physio recordings the run writes, e.g. ("eye1",)


@dataclass(frozen=True)
class TrialRow:
    """One events row of a trial, from flip time stamps; ``columns`` are the paradigm's
    own (the loop adds trial_index, phase, block and dropped_frames); ``recordings`` the
    trial's physio data per recording (written before the row)."""

    onset_s: float
    duration_s: float
    dropped_frames: int
    columns: Mapping[str, Any]
    recordings: Mapping[str, Any] = field(default_factory=dict)  # name -> (samples, events)


@dataclass(frozen=True)
class RunContext:
    """What ``present`` may read besides the trial: the checked config, the plan and the
    message catalogue of ``station.language`` (:meth:`text`)."""

    config: Any  # tasks.core.config.TaskConfig
    plan: Plan
    messages: Any = None  # tasks.core.messages.Catalogue; None: the station's language

    @property
    def params(self) -> Mapping[str, Any]:
        return self.config.params

    @property
    def catalogue(self):
        from tasks.core.messages import catalogue_of
        return self.messages or catalogue_of(self.config.station)

    def text(self, msg_id: str, **fields) -> str:
        """The participant's text ``msg_id`` in the station's language."""
        return self.catalogue.text(msg_id, **fields)


@dataclass(frozen=True)
class Person:
    """One participant x session of a simulated cohort: ``person_rng`` draws what is
    stable within the person (the same state in every session), ``session_rng`` the rest."""

    group: str
    session: str
    person_rng: np.random.Generator
    session_rng: np.random.Generator


class Responder(Protocol):
    """A simulated participant with known ground truth (one signature for every paradigm)."""

    def respond(self, trial: Any, rng: np.random.Generator) -> Any:
        """What this participant will do in ``trial`` (the paradigm's planned response)."""

    def describe(self) -> dict:
        """The planted parameters (written into ``Provenance.Simulated``)."""


@dataclass(frozen=True)
class Paradigm:
    """The declaration of one paradigm (see the module docstring)."""

    params: tuple[Param, ...]
    columns: tuple[Column, ...]
    effects: tuple[Effect, ...]
    check: Callable[[Any], list[str]]
    plan: Callable[..., Plan]
    plan_rows: Callable[[Plan], list[dict]]
    instructions: Callable[[Any, Plan], str]
    present: Callable[[Any, Any, Any, RunContext], list[TrialRow]]
    responder: Callable[[str | None, Any], Responder]
    cohort_responder: Callable[[Mapping[str, float], Person, Any], Responder]
    after_practice: str = "trial.after_practice"  # message id of the screen after practice
    # (config, plan, recording description) -> more Provenance keys, once the engine has
    # started the plan's recordings (e.g. the free-viewing AOIs in screen pixels)
    recording_provenance: Callable[[Any, Plan, dict], dict] | None = None
    description: str = ""
    name: str = ""  # set by :func:`load` from the folder's name

    def events_columns(self) -> tuple[Column, ...]:
        """The whole header: the common head, then the paradigm's columns."""
        own = tuple(c for c in self.columns if c.name not in {h.name for h in COMMON_HEAD})
        if DROPPED_FRAMES.name not in {c.name for c in own}:
            own += (DROPPED_FRAMES,)
        if RESPONSE_DEVICE.name not in {c.name for c in own}:
            own += (RESPONSE_DEVICE,)
        return COMMON_HEAD + own

    def column_names(self) -> list[str]:
        return [c.name for c in self.events_columns()]


def names() -> list[str]:
    """Every paradigm folder (a package with a ``paradigm.py``), sorted."""
    found = []
    for info in pkgutil.iter_modules([str(PARADIGMS_DIR)]):
        if info.ispkg and (PARADIGMS_DIR / info.name / "paradigm.py").is_file():
            found.append(info.name)
    return sorted(found)


def load(name: str, *, where: str = "paradigm") -> Paradigm:
    """The paradigm in ``tasks/paradigms/<name>/``; ConfigError naming the allowed ones."""
    from icb.params import did_you_mean
    known = names()
    if name not in known:
        raise ConfigError(f"{where}: unknown paradigm {name!r}{did_you_mean(str(name), known)}; "
                          f"allowed: one of {', '.join(known)} (a folder under "
                          "tasks/paradigms/ with a paradigm.py)")
    module = importlib.import_module(f"{PARADIGMS_PACKAGE}.{name}.paradigm")
    declared = getattr(module, "PARADIGM", None)
    if not isinstance(declared, Paradigm):
        raise ConfigError(f"tasks/paradigms/{name}/paradigm.py: defines no PARADIGM = "
                          "Paradigm(...); see tasks/core/paradigm.py")
    return replace(declared, name=name)


def effect_defaults(effects: tuple[Effect, ...]) -> dict[str, float]:
    return {e.name: e.default for e in effects}


def planted_person(effects: Mapping[str, float], prefix: str, person: Person, *,
                   level: str, salience: str) -> tuple[float, float, float]:
    """The recipe every rating-type cohort shares: (the person's level offset, the
    person's salience, the planted pre -> post change for the person's group).

    ``level`` and ``salience`` name the effects of the person-level SD and of the salience
    (its SD is ``<salience>_sd``); the changes are ``<prefix>_more_change`` and
    ``<prefix>_control_change`` (a ``_ms`` suffix is kept when the names carry one).
    Draw order is fixed (level, then salience), so a person is the same in every session.

    >>> p = Person("MORE", "post", np.random.default_rng(1), np.random.default_rng(2))
    >>> e = {"x_sd": 0.0, "x_sal": 2.0, "x_sal_sd": 0.0, "x_more_change": 0.5,
    ...      "x_control_change": 0.0}
    >>> planted_person(e, "x", p, level="x_sd", salience="x_sal")
    (0.0, 2.0, 0.5)
    """
    offset = effects[level] * person.person_rng.standard_normal()
    sal_sd = effects.get(f"{salience}_sd", 0.0)
    if salience.endswith("_ms") and f"{salience[:-3]}_sd_ms" in effects:
        sal_sd = effects[f"{salience[:-3]}_sd_ms"]
    value = effects[salience] + sal_sd * person.person_rng.standard_normal()
    unit = "_ms" if salience.endswith("_ms") else ""
    change = 0.0
    if person.session == "post":
        which = "more" if person.group == "MORE" else "control"
        change = effects[f"{prefix}_{which}_change{unit}"]
    return float(offset), float(value), float(change)
