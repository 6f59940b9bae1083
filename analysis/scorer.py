"""The scorer interface and the registry of scorers, keyed by paradigm.

A *paradigm* is the code of a task; a *label* (BIDS ``task-<label>``) is one configured
use of it (contract §3).  One module per scorer lives in ``analysis/scorers/`` and
defines ``SCORER = Scorer(...)``, declaring:

- ``paradigms``: the paradigm(s) it scores (each paradigm has at most one scorer);
- ``columns``: per paradigm, the events columns it requires and their types
  (``icb.columns.Column``), exactly those of the contract -- a file lacking one is
  listed in exclusions.tsv naming it; any other column is kept but not required;
- ``score(job) -> Scored``: its scores, reliability inputs, change measures, trial
  annotations, exclusions and extra score files, for one label;
- ``report(data) -> list[Section]``: its sections of the HTML report, for one label;
- ``methods(settings, labels) -> str``: its sentences of the methods paragraph.

Modules are found, not listed: a module dropped into ``analysis/scorers/`` is a scorer.
``icb score`` and ``icb report`` iterate over this registry and over the labels found in
the data; they name no paradigm themselves.

>>> reg = registry()
>>> sorted(reg) == sorted(p for s in scorers() for p in s.paradigms)
True
>>> all(reg[p].columns[p][0].name == "onset" for p in reg)
True
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import pandas as pd

from icb.columns import Column

SCORERS_PACKAGE = "analysis.scorers"
SCORE_COLUMNS = ["participant_id", "session", "task", "condition", "measure", "value"]


@dataclass(frozen=True)
class ReliabilityInput:
    """One split-half job: ``frame`` has unit, side (1 = plus, 0 = minus), value, order."""

    session: str
    condition: str
    measure: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Job:
    """What a scorer gets for one label: the typed rows of the scored runs of that label,
    and ``files``: the events file of each scored run by (participant_id, session), for a
    scorer that reads the files beside it (e.g. gaze samples)."""

    label: str
    paradigm: str
    trials: pd.DataFrame
    settings: Mapping
    participants: pd.DataFrame
    files: Mapping[tuple[str, str], Path] = field(default_factory=dict)


@dataclass
class Scored:
    """What a scorer gives back for one label.

    ``trials`` are the rows read with ``excluded`` and ``exclusion_reason`` (and any
    column the scorer adds, e.g. ``condition``); ``scores`` are long (SCORE_COLUMNS, task =
    the label); ``change`` is the subset of ``scores`` that enters change.tsv and rci.tsv;
    ``exclusions`` are dicts with participant_id, session (None for the whole label) and
    reason; ``tables`` are extra score files (file name -> frame with a ``task`` column).
    """

    trials: pd.DataFrame
    scores: pd.DataFrame
    change: pd.DataFrame
    reliability: list[ReliabilityInput] = field(default_factory=list)
    exclusions: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportData:
    """What a scorer's report gets for one label: score files restricted to that label."""

    label: str
    paradigm: str
    scores: pd.DataFrame
    reliability: pd.DataFrame
    change: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    groups: Mapping[str, str]
    settings: Mapping
    pre: str
    post: str


@dataclass(frozen=True)
class Scorer:
    """The declaration of one scorer (see the module docstring)."""

    name: str
    paradigms: tuple[str, ...]
    columns: Mapping[str, tuple[Column, ...]]
    score: Callable[[Job], Scored]
    report: Callable[[ReportData], list]
    methods: Callable[[Mapping, list[str]], str]
    tables: Mapping[str, list[str]] = field(default_factory=dict)


def scorers() -> list[Scorer]:
    """Every scorer module of ``analysis/scorers/``, in module-name order."""
    package = importlib.import_module(SCORERS_PACKAGE)
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{SCORERS_PACKAGE}.{info.name}")
        declared = getattr(module, "SCORER", None)
        if not isinstance(declared, Scorer):
            raise TypeError(f"analysis/scorers/{info.name}.py defines no SCORER = Scorer(...)")
        found.append(declared)
    return found


def registry() -> dict[str, Scorer]:
    """paradigm -> its scorer; a paradigm claimed by two scorers is a programming error."""
    table: dict[str, Scorer] = {}
    for scorer in scorers():
        for paradigm in scorer.paradigms:
            if paradigm in table:
                raise TypeError(f"paradigm {paradigm!r} has two scorers: "
                                f"{table[paradigm].name} and {scorer.name}")
            if paradigm not in scorer.columns:
                raise TypeError(f"scorer {scorer.name} declares no columns for {paradigm!r}")
            table[paradigm] = scorer
    return table
