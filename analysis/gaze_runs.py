"""One free-viewing run's gaze, from its files to per-trial values (contract §6).

For a run (its events file and its test trials): the AOIs of ``Provenance.AOIs`` in the
events sidecar; each AOI's category per trial (the stimulus manifest named by
``Provenance.StimulusManifest``, else the ``category_<aoi>`` columns); the gaze samples of
``*_recording-eye1_physio.tsv.gz`` (every whole gzip member, :func:`analysis.io.read_physio`);
then :mod:`analysis.gaze` gives each trial's sample counts, dwell, share and first fixation.
A run that cannot be scored raises :class:`NotScorable` with the reason.  The columns of
a label's trials are taken out once (:class:`LabelTrials`), so that a run costs array
indexing, not table operations: a cohort of 2,000 runs is read once, file by file.

The manifest path is used as written when absolute, else taken relative to the data root
(the folder holding ``sub-<P>/``): the analysis never looks into the repository it runs
from.

>>> physio_path(Path("d/sub-1/ses-pre/beh/sub-1_ses-pre_task-fv_run-1_events.tsv")).name
'sub-1_ses-pre_task-fv_run-1_recording-eye1_physio.tsv.gz'
"""

from __future__ import annotations

import math
import re
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import gaze, io
from icb.bids import BidsName

RECORDING = "eye1"
SAMPLE_COLUMNS = ("timestamp", "x_coordinate", "y_coordinate")
CALIBRATION_KEY = re.compile(r"calibration|validation|accuracy|precision", re.IGNORECASE)
OUTSIDE_AOIS = "outside AOIs"  # the heat-map category of a sample on no picture
UNKNOWN = "unknown"  # the category of a stimulus id the manifest does not list


class NotScorable(Exception):
    """A run whose gaze cannot be scored; the message is the reason."""


def physio_path(events_path: Path) -> Path:
    """The gaze samples of the run of ``events_path`` (BIDS 1.11 eye tracking)."""
    return BidsName.beside(events_path, RECORDING)


def data_root_of(events_path: Path) -> Path:
    """The data root: the folder holding the ``sub-<P>`` folder of ``events_path``.

    >>> data_root_of(Path("/d/sub-1/ses-pre/beh/sub-1_ses-pre_task-fv_run-1_events.tsv"))
    PosixPath('/d')
    """
    for folder in events_path.parents:
        if folder.name.startswith("sub-"):
            return folder.parent
    return events_path.parent


def aoi_table(provenance: dict) -> pd.DataFrame:
    """``Provenance.AOIs`` as a table (name, x, y, width, height); NotScorable when it is
    missing or an entry is not a named rectangle of finite numbers with a positive size.

    >>> aoi_table({"AOIs": [{"name": "left", "x": -320, "y": 0, "width": 400,
    ...                      "height": 480}]}).values.tolist()
    [['left', -320.0, 0.0, 400.0, 480.0]]
    """
    raw = provenance.get("AOIs")
    if not isinstance(raw, list) or not raw:
        raise NotScorable("events sidecar: Provenance.AOIs missing or empty (the areas of "
                          "interest are needed to score gaze)")
    rows = []
    for k, aoi in enumerate(raw):
        ok = isinstance(aoi, dict) and isinstance(aoi.get("name"), str) and aoi["name"]
        values = [aoi.get(key) for key in ("x", "y", "width", "height")] if ok else []
        ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                        and math.isfinite(v) for v in values) and min(values[2:]) > 0
        if not ok:
            raise NotScorable(f"events sidecar: Provenance.AOIs[{k}] is not {{name, x, y, "
                              "width, height}} with numbers and a positive width and height")
        rows.append([aoi["name"], *map(float, values)])
    table = pd.DataFrame(rows, columns=["name", "x", "y", "width", "height"])
    if table["name"].duplicated().any():
        raise NotScorable("events sidecar: Provenance.AOIs names an AOI twice")
    return table


def as_text(values: pd.Series) -> np.ndarray:
    """Stimulus ids as text (a column of whole numbers read as numbers: ``7`` -> ``'7'``),
    None where missing.

    >>> as_text(pd.Series([7, None], dtype="Int64")).tolist(), as_text(pd.Series(["a"])).tolist()
    (['7', None], ['a'])
    """
    present = values.notna().to_numpy()
    out = values.to_numpy(dtype=object, na_value=None, copy=True)
    if pd.api.types.is_numeric_dtype(values.dtype):
        out[present] = [str(int(v)) if float(v).is_integer() else repr(float(v))
                        for v in out[present]]
    out[~present] = None
    return out


@dataclass
class LabelTrials:
    """The columns of a label's trials that its runs need, as arrays (made once)."""

    onset: np.ndarray
    duration: np.ndarray
    target: np.ndarray  # the categories of trial_type, None when it is not <t>-<c>
    comparison: np.ndarray
    layout: np.ndarray  # codes into ``layouts``
    layouts: list
    stim: dict  # AOI name -> stimulus ids (text, None where n/a)
    category: dict  # AOI name -> category_<aoi> values

    @classmethod
    def of(cls, trials: pd.DataFrame) -> "LabelTrials":
        kind = trials["trial_type"].astype(str)
        parts = kind.str.partition("-")
        ok = (kind.str.count("-") == 1) & (parts[0] != "") & (parts[2] != "")
        layout, layouts = pd.factorize(trials["layout"].astype(str), sort=True)
        return cls(trials["onset"].to_numpy(float), trials["duration"].to_numpy(float),
                   parts[0].where(ok, None).to_numpy(object),
                   parts[2].where(ok, None).to_numpy(object), layout, list(layouts),
                   {c[5:]: as_text(trials[c]) for c in trials if c.startswith("stim_")},
                   {c[9:]: as_text(trials[c]) for c in trials if c.startswith("category_")})


@dataclass
class Categories:
    """Reads each manifest once (one per label), numbers the categories met, and
    remembers the fallbacks and the unknown stimulus ids (for the warnings)."""

    found: dict = field(default_factory=dict)  # path -> dict | str (the problem)
    names: list = field(default_factory=lambda: [OUTSIDE_AOIS])  # code -> category
    fallbacks: dict = field(default_factory=dict)  # problem -> runs using category_<aoi>
    unknown: dict = field(default_factory=dict)  # run -> stimulus ids not in its manifest

    def manifest(self, provenance: dict, root: Path) -> tuple[dict | None, str | None]:
        written = provenance.get("StimulusManifest")
        if not isinstance(written, str) or not written:
            return None, "events sidecar: Provenance.StimulusManifest missing"
        path = Path(written) if Path(written).is_absolute() else root / written
        if path not in self.found:
            try:
                self.found[path] = io.read_stimulus_categories(path)
            except io.UnreadableFile as exc:
                self.found[path] = str(exc)
        got = self.found[path]
        return (got, None) if isinstance(got, dict) else (None, got)

    def of_run(self, block: LabelTrials, pos: np.ndarray, names: list[str],
               provenance: dict, events_path: Path) -> np.ndarray:
        """AOI category per trial (trials x AOIs, object; None where no picture)."""
        none = np.full(len(pos), None, dtype=object)
        ids = np.column_stack([block.stim[n][pos] if n in block.stim else none
                               for n in names])
        table, problem = self.manifest(provenance, data_root_of(events_path))
        if table is not None:
            shown = ids[pd.notna(ids)]
            unknown = sorted({s for s in shown if s not in table})
            if unknown:
                self.unknown[events_path.name] = unknown
            lookup = np.vectorize(lambda s: None if s is None else table.get(s, UNKNOWN),
                                  otypes=[object])
            return lookup(ids) if ids.size else ids
        cats = np.column_stack([block.category[n][pos] if n in block.category else none
                                for n in names])
        lacking = [n for k, n in enumerate(names)
                   if (pd.notna(ids[:, k]) & pd.isna(cats[:, k])).any()]
        if lacking or pd.isna(cats).all():
            raise NotScorable(f"stimulus categories unknown: {problem}, and no category_<aoi> "
                              "column to fall back on (none for the pictures at "
                              f"{', '.join(lacking or names)})")
        self.fallbacks.setdefault(problem, []).append(events_path.name)
        return cats

    def codes(self, cats: np.ndarray) -> np.ndarray:
        """Each category's number in ``names`` (-1 where no picture)."""
        out = np.full(cats.shape, -1, dtype=np.int64)
        for name in {c for c in cats.ravel() if c is not None}:
            if name not in self.names:
                self.names.append(name)
            out[cats == name] = self.names.index(name)
        return out


@dataclass
class RunGaze:
    """A run's per-trial values (rows as its test trials), its located samples, the code
    of each AOI's category per trial, its AOIs and physio sidecar figures."""

    values: pd.DataFrame
    located: pd.DataFrame
    codes: np.ndarray
    aois: pd.DataFrame
    calibration: dict
    warnings: list[str]


def calibration_fields(sidecar: dict) -> dict:
    """The physio sidecar's numeric calibration / validation figures (keys naming
    calibration, validation, accuracy or precision; e.g. BIDS AverageCalibrationError).

    >>> calibration_fields({"AverageCalibrationError": 0.4, "CalibrationType": "HV9",
    ...                     "ValidationAccuracyDeg": 0.6, "SamplingFrequency": 60})
    {'AverageCalibrationError': 0.4, 'ValidationAccuracyDeg': 0.6}
    """
    return {k: float(v) for k, v in sidecar.items() if CALIBRATION_KEY.search(k)
            and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}


@dataclass
class RunFiles:
    """What :func:`read_run` read of a run: the events sidecar's Provenance, the gaze
    samples, their sampling frequency (Hz) and physio sidecar, and warnings."""

    provenance: dict
    samples: pd.DataFrame
    rate_hz: float
    sidecar: dict
    warnings: list[str]


def read_run(events_path: Path) -> RunFiles:
    """The files beside one events file (all the reading of a run, so that it can run
    ahead in a thread); NotScorable with the reason."""
    try:
        provenance = io.read_json_object(events_path.with_suffix(".json")).get("Provenance")
    except io.UnreadableFile as exc:
        raise NotScorable(f"events sidecar {exc}") from None
    if not isinstance(provenance, dict):
        raise NotScorable("events sidecar: no Provenance object")
    try:
        samples, sidecar, warnings = io.read_physio(physio_path(events_path),
                                                    wanted=SAMPLE_COLUMNS)
    except io.UnreadableFile as exc:
        raise NotScorable(f"gaze samples: {exc}") from None
    rate = sidecar.get("SamplingFrequency")
    if not isinstance(rate, (int, float)) or isinstance(rate, bool) or not rate > 0 \
            or not math.isfinite(rate):
        raise NotScorable(f"gaze samples: SamplingFrequency {rate!r} in the physio sidecar; "
                          "allowed: a positive number (Hz)")
    return RunFiles(provenance, samples, float(rate), sidecar, warnings)


def score_run(block: LabelTrials, pos: np.ndarray, files: RunFiles, events_path: Path,
              categories: Categories, settings: dict) -> RunGaze:
    """Per test trial of one run (rows ``pos`` of ``block``; ``files`` from
    :func:`read_run`): n_samples, n_valid, valid_prop, dwell_target_ms,
    dwell_comparison_ms, share, first_aoi (position in the AOIs), first_target,
    first_latency_ms (:mod:`analysis.gaze`) and ``type_ok`` (trial_type is
    ``<target>-<comparison>``).  NotScorable with the reason."""
    aois = aoi_table(files.provenance)
    cats = categories.of_run(block, pos, aois["name"].tolist(), files.provenance, events_path)
    target, comparison = block.target[pos], block.comparison[pos]
    roles = gaze.aoi_roles(pd.DataFrame(cats), pd.Series(target), pd.Series(comparison))
    trials = pd.DataFrame({"onset": block.onset[pos], "duration": block.duration[pos]})
    located = gaze.locate(files.samples, trials, aois, roles)
    n, rate = len(pos), files.rate_hz
    values = pd.concat([gaze.trial_dwell(located, n_trials=n, sampling_frequency_hz=rate),
                        gaze.first_fixation(located, n_trials=n, sampling_frequency_hz=rate,
                                            min_fixation_ms=settings["min_fixation_ms"],
                                            after_ms=settings["first_fixation_after_ms"])],
                        axis=1)
    values["type_ok"] = pd.notna(target)
    shown = roles.to_numpy()
    lacking = int((pd.notna(target) & ~((shown == gaze.TARGET).any(axis=1)
                                        & (shown == gaze.COMPARISON).any(axis=1))).sum())
    warnings = list(files.warnings)
    if lacking:
        warnings.append(f"{events_path.name}: {lacking} test trial(s) show no picture of their "
                        "target or of their comparison category (stimulus ids vs the "
                        "categories): dwell on that side is 0")
    return RunGaze(values, located, categories.codes(cats), aois,
                   calibration_fields(files.sidecar), warnings)


def read_ahead(paths: list, depth: int = 2):
    """For each events file (in order), :func:`read_run` of it or the NotScorable it
    raised, read by one thread up to ``depth`` runs ahead of the caller (reading and
    scoring overlap; at most depth + 1 runs' samples in memory; the order and the results
    do not depend on the thread).

    >>> [str(r) for r in read_ahead([None])]
    ['no events file path was given for the run (Job.files)']
    """
    def read(path):
        if path is None:
            return NotScorable("no events file path was given for the run (Job.files)")
        try:
            return read_run(path)
        except NotScorable as exc:
            return exc

    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = deque(pool.submit(read, p) for p in paths[:depth])
        for k in range(len(paths)):
            if k + depth < len(paths):
                ahead.append(pool.submit(read, paths[k + depth]))
            yield ahead.popleft().result()


def heat_points(run: RunGaze, layout: np.ndarray, keep: np.ndarray) -> pd.DataFrame:
    """The valid samples of the kept trials: layout code (of the trial), category code
    (of the AOI holding the sample, 0 = outside AOIs), x, y; for
    :func:`analysis.gaze.heatmap_counts`."""
    loc = run.located
    ok = loc["valid"].to_numpy() & keep[loc["trial"].to_numpy()]
    trial, aoi = loc["trial"].to_numpy()[ok], loc["aoi"].to_numpy()[ok]
    category = np.where(aoi >= 0, run.codes[trial, np.maximum(aoi, 0)], 0)
    return pd.DataFrame({"layout": layout[trial], "category": category,
                         "x": loc["x"].to_numpy()[ok], "y": loc["y"].to_numpy()[ok]})
