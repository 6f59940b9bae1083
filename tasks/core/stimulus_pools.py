"""Stimulus pools, file checks and the balanced trial order shared by the rating,
key-press and cry-rating tasks (pure; the order comes from an explicit Generator).

A *cell* is ``<category>_<valence>`` of the manifest (e.g. ``infant_distress``,
``infant_high_distress``); the baby-schema continuum images (infant neutral faces
with ``baby_schema`` 1..5) form the cells ``infant_neutral_bs<k>``.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from icb.columns import Column
from icb.errors import StimulusError
from tasks.core.scales import applicable_scales
from tasks.stimulus_factory.normalise import MAX_IMAGE_PIXELS


FACE_CELLS = ["infant_distress", "infant_neutral", "infant_happy", "adult_distress",
              "adult_neutral", "adult_happy"]


@dataclass(frozen=True)
class Stim:
    stim_id: str
    category: str
    valence: str
    baby_schema: int | None
    cell: str
    duration_s: float | None = None


@dataclass(frozen=True)
class Trial:
    """One planned stimulus presentation (``scales`` only for rating-type tasks)."""

    phase: str
    block: int
    stim: Stim
    scales: tuple[str, ...] = ()


def split_cell(cell: str, valences: tuple[str, ...]) -> tuple[str, str] | None:
    """``'infant_high_distress'`` -> ``('infant', 'high_distress')`` (None if malformed)."""
    category, sep, valence = cell.partition("_")
    if not sep or not category or valence not in valences:
        return None
    return category, valence


def cell_problems(cells: list[str], modality: str, *, where: str) -> list[str]:
    from icb.params import did_you_mean
    from tasks.stimulus_factory.manifest import CATEGORIES, VALENCES
    problems = []
    every = [f"{c}_{v}" for c in CATEGORIES[modality] for v in VALENCES[modality]]
    for cell in cells:
        parts = split_cell(cell, VALENCES[modality])
        if parts is None or parts[0] not in CATEGORIES[modality]:
            problems.append(f"{where}: bad category {cell!r}{did_you_mean(str(cell), every)}; "
                            "allowed: '<category>_<valence>' with "
                            f"category one of {', '.join(CATEGORIES[modality])} and valence one of "
                            f"{', '.join(VALENCES[modality])}")
    return problems


def pools_for(manifest, modality: str, cells: list[str], stim_set: str, *,
              baby_schema_levels: list[int] = (), minimum: int = 1
              ) -> tuple[dict[str, list[Stim]], dict[str, Path]]:
    """Stimuli per cell of one set (sorted by identity, id) and their file paths."""
    from tasks.stimulus_factory.manifest import VALENCES, select, stimulus_file
    pools: dict[str, list[Stim]] = {}
    paths: dict[str, Path] = {}
    problems = []
    wanted = [(cell, None) for cell in cells] + [
        (f"infant_neutral_bs{k}", int(k)) for k in baby_schema_levels]
    for cell, level in wanted:
        if level is None:
            category, valence = split_cell(cell, VALENCES[modality])
            rows = select(manifest, modality=modality, category=category, valence=valence,
                          stim_set=stim_set)
            rows = rows[rows["baby_schema"].isna()]
        else:
            category, valence = "infant", "neutral"
            rows = select(manifest, modality=modality, category=category, valence=valence,
                          stim_set=stim_set, baby_schema=level)
        if len(rows) < minimum:
            problems.append(f"params: category {cell!r} has {len(rows)} stimulus file(s) in "
                            f"stimulus set {stim_set} of the manifest; at least {minimum} "
                            "needed")
            continue
        rows = rows.sort_values(["identity", "id"])
        stims = []
        for row in rows.to_dict("records"):
            dur = row["duration_s"]
            stims.append(Stim(row["id"], category, valence, level, cell,
                              None if dur is None or dur != dur else float(dur)))
            try:
                paths[row["id"]] = stimulus_file(manifest, row["id"])
            except StimulusError as exc:
                problems += exc.problems
        pools[cell] = stims
    if problems:
        raise StimulusError(problems[0], problems)
    return pools, paths




def check_files(paths: dict[str, Path], modality: str, manifest=None) -> list[str]:
    """Every file exists and decodes (images with PIL, after their pixel count is checked
    from the header; sounds with the wave module).  With the ``manifest``: each file is
    the one the manifest describes (its SHA-256, so that a sound cut short or a picture
    replaced is never shown as the original) and stays inside the manifest's folder (a
    symbolic link out of it is refused)."""
    problems = []
    root = Path(manifest.attrs["root"]).resolve() if manifest is not None else None
    digests = dict(zip(manifest["id"], manifest["sha256"])) if manifest is not None else {}
    for stim_id, path in sorted(paths.items()):
        path = Path(path)
        if not path.is_file():
            problems.append(f"stimulus {stim_id}: file not found: {path} (named in the "
                            "manifest; restore it, or rebuild the set: `icb stimuli generate` "
                            "for the default set, `icb stimuli import` for a lab's own)")
            continue
        if root is not None and root not in path.resolve().parents:
            problems.append(f"stimulus {stim_id}: {path} leads to {path.resolve()}, outside "
                            f"the stimulus folder {root}; allowed: files inside it (copy the "
                            "file in instead of linking to it)")
            continue
        broken = _decode_problems(stim_id, path, modality)
        if broken or stim_id not in digests:
            problems += broken
            continue
        from tasks.stimulus_factory.manifest import sha256_file
        digest = sha256_file(path)
        if digest != digests[stim_id]:  # decodes, but is not the file described (cut short?)
            problems.append(f"stimulus {stim_id}: {path} is not the file the manifest "
                            f"describes (SHA-256 {digest[:12]}..., the manifest says "
                            f"{str(digests[stim_id])[:12]}...); restore it, or rebuild "
                            "the set (`icb stimuli check` lists every difference)")
    return problems


def _decode_problems(stim_id: str, path: Path, modality: str) -> list[str]:
    if modality == "image":
        from PIL import Image as PILImage
        try:
            with PILImage.open(path) as img:
                width, height = img.size
                if width * height > MAX_IMAGE_PIXELS:
                    return [f"stimulus {stim_id}: {path} is {width}x{height} pixels; allowed: "
                            f"at most {MAX_IMAGE_PIXELS} pixels (not decoded)"]
                img.load()
        except PILImage.DecompressionBombError as exc:  # PIL's own bound, from the header
            return [f"stimulus {stim_id}: {path} is too large ({exc}); allowed: at most "
                    f"{MAX_IMAGE_PIXELS} pixels (not decoded)"]
        except (OSError, ValueError) as exc:
            return [f"stimulus {stim_id}: {path} does not decode as an image ({exc})"]
        return []
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnframes() <= 0:
                return [f"stimulus {stim_id}: {path} has no audio frames"]
    except (wave.Error, EOFError, OSError) as exc:
        return [f"stimulus {stim_id}: {path} does not decode as a WAV file ({exc})"]
    return []


def choose(pools: dict[str, list[Stim]], n_per_cell: int | None,
           rng: np.random.Generator) -> dict[str, list[Stim]]:
    """``n_per_cell`` stimuli of every cell, chosen at random (all when null or too few)."""
    out = {}
    for cell in pools:
        pool = pools[cell]
        n = len(pool) if n_per_cell is None else min(n_per_cell, len(pool))
        picked = sorted(rng.choice(len(pool), size=n, replace=False).tolist())
        out[cell] = [pool[i] for i in picked]
    return out


def balanced_blocks(chosen: dict[str, list[Stim]], *, repetitions: int, n_blocks: int,
                    rng: np.random.Generator, scales: tuple[str, ...] = (),
                    random_scale_order: bool = False) -> list[Trial]:
    """Test trials in blocks: every chosen stimulus ``repetitions`` times; each cell dealt
    round-robin over the blocks (per-block counts differ by at most one); random order
    within a block with no stimulus twice in a row."""
    blocks: list[list[Stim]] = [[] for _ in range(n_blocks)]
    for cell in chosen:
        items = [s for _ in range(repetitions) for s in chosen[cell]]
        if not items:
            continue
        order = rng.permutation(len(items))
        start = int(rng.integers(n_blocks))
        for i, idx in enumerate(order):
            blocks[(start + i) % n_blocks].append(items[int(idx)])
    trials = []
    for b, stims in enumerate(blocks):
        for stim in _no_immediate_repeat(stims, rng):
            sc = applicable_scales(scales, stim.category)
            if scales and not sc:
                continue  # no scale asks about it (refused by the paradigm's check)
            if random_scale_order and sc:
                sc = tuple(sc[i] for i in rng.permutation(len(sc)))
            trials.append(Trial("test", b + 1, stim, sc))
    return trials


def _no_immediate_repeat(stims: list[Stim], rng: np.random.Generator,
                         attempts: int = 200) -> list[Stim]:
    order = [stims[int(i)] for i in rng.permutation(len(stims))]
    for _ in range(attempts):
        if all(a.stim_id != b.stim_id for a, b in zip(order, order[1:])):
            return order
        order = [stims[int(i)] for i in rng.permutation(len(stims))]
    return order  # only when one stimulus dominates a block; repeats are then unavoidable


def choose_faces_and_bs(params: dict, pools: dict[str, list[Stim]],
                        rng: np.random.Generator) -> dict[str, list[Stim]]:
    """The chosen faces: ``n_per_category`` of every ``params["categories"]`` cell, then
    ``n_per_baby_schema_level`` of every ``infant_neutral_bs<k>`` cell of ``pools``."""
    faces = {c: pools[c] for c in params["categories"]}
    bs = {c: v for c, v in pools.items() if c.startswith("infant_neutral_bs")}
    chosen = choose(faces, params["n_per_category"], rng)
    chosen.update(choose(bs, params["n_per_baby_schema_level"], rng))
    return chosen


def scale_rows(trials: list[Trial], extra) -> list[dict]:
    """One row per stimulus x scale (``icb validate --plan``); ``extra(stim)`` gives the
    paradigm's own fields, placed between ``valence`` and ``scale``.

    >>> s = Stim("f1", "infant", "happy", None, "infant_happy")
    >>> scale_rows([Trial("test", 1, s, ("liking", "cuteness"))], lambda st: {"x": 1})[1]
    {'trial_index': 2, 'phase': 'test', 'block': 1, 'stim_id': 'f1', 'category': 'infant', \
'valence': 'happy', 'x': 1, 'scale': 'cuteness'}
    """
    rows = []
    for t in trials:
        for scale in t.scales:
            rows.append({"trial_index": len(rows) + 1, "phase": t.phase, "block": t.block,
                         "stim_id": t.stim.stim_id, "category": t.stim.category,
                         "valence": t.stim.valence, **extra(t.stim), "scale": scale})
    return rows


def practice_trials(pool: list[Stim], n: int, rng: np.random.Generator,
                    scales: tuple[str, ...] = ()) -> list[Trial]:
    if n <= 0 or not pool:
        return []
    picked = [pool[int(i) % len(pool)] for i in rng.permutation(max(n, len(pool)))[:n]]
    trials = [Trial("practice", 0, stim, applicable_scales(scales, stim.category))
              for stim in picked]
    return [t for t in trials if t.scales or not scales]


STIM_COLUMNS = (
    Column("stim_id", "Stimulus id", "Stimulus id in the stimulus manifest."),
    Column("category", "Category", "Stimulus category (infant, adult, object; for sounds "
           "infant (cry), rotated (spectrally rotated control), noise (envelope-matched noise))."),
    Column("valence", "Valence", "Expression or distress level (distress, neutral, happy; "
           "for sounds high_distress or low_distress)."),
    Column("baby_schema", "Baby-schema level", "Baby-schema level 1 (low) to 5 (high), "
           "n/a where the stimulus is not on the continuum.", "int", nullable=True),
)


def stim_fields(stim: Stim) -> dict:
    return {"stim_id": stim.stim_id, "category": stim.category, "valence": stim.valence,
            "baby_schema": stim.baby_schema}
