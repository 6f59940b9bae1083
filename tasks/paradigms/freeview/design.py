"""The free-viewing trial list: pure data built from an explicit ``numpy.random.Generator``.

A display shows half target and half comparison pictures at the layout's places
(:data:`LAYOUT_PLACES`).  Which places hold the target is drawn at random for one trial
and mirrored (the complement) for the next trial of the same type, so that over the
trials of a type every place holds the target equally often (exactly, for an even number
of trials).  Pictures are dealt from a shuffled deck per category, so that each appears
as nearly equally often as the counts allow and never twice in one test display (a
practice display, all of one category, may repeat a picture when the category has fewer
pictures than the layout has places).  The test
trials of all types are shuffled together and cut into ``n_blocks`` blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AOI_NAMES = ("left", "right") + tuple(f"r{r}c{c}" for r in range(1, 5) for c in range(1, 5))


def _grid(n: int) -> tuple[tuple[str, float, float], ...]:
    """Places of an n x n grid in cell units, row 1 at the top (y up)."""
    mid = (n + 1) / 2
    return tuple((f"r{r}c{c}", c - mid, mid - r) for r in range(1, n + 1)
                 for c in range(1, n + 1))


LAYOUT_PLACES = {"pair": (("left", -1.0, 0.0), ("right", 1.0, 0.0)),
                 "grid2x2": _grid(2), "grid4x4": _grid(4)}


@dataclass(frozen=True)
class Place:
    """One picture of a display: its area of interest's name and centre (deg)."""

    aoi: str
    x_deg: float
    y_deg: float
    stim_id: str
    cell: str


@dataclass(frozen=True)
class FreeviewTrial:
    phase: str
    block: int
    trial_type: str
    layout: str
    places: tuple[Place, ...]
    iti_ms: float

    @property
    def target(self) -> str:
        return self.trial_type.split("-")[0]


def split_type(trial_type: str) -> tuple[str, str]:
    """``'infant_neutral-adult_neutral'`` -> ``('infant_neutral', 'adult_neutral')``."""
    target, _, comparison = trial_type.partition("-")
    return target, comparison


def place_centres(params: dict) -> dict[str, tuple[float, float]]:
    """AOI name -> centre (deg) of the configured layout.

    >>> place_centres({"layout": "pair", "image_offset_deg": 6.5, "grid_cell_deg": 5.0})
    {'left': (-6.5, 0.0), 'right': (6.5, 0.0)}
    """
    unit = params["image_offset_deg"] if params["layout"] == "pair" else params["grid_cell_deg"]
    return {name: (x * unit, y * unit) for name, x, y in LAYOUT_PLACES[params["layout"]]}


def picture_size_deg(params: dict) -> tuple[float, float]:
    """The pictures' size: as configured for a pair; scaled to fit 90% of a grid cell.

    >>> picture_size_deg({"layout": "grid2x2", "image_width_deg": 6.5,
    ...                   "image_height_deg": 8.5, "grid_cell_deg": 5.0})
    (3.44, 4.5)
    """
    w, h = params["image_width_deg"], params["image_height_deg"]
    if params["layout"] == "pair":
        return (float(w), float(h))
    scale = 0.9 * params["grid_cell_deg"] / max(w, h)
    return (round(w * scale, 2), round(h * scale, 2))


def aois_px(params: dict, px_per_deg: float) -> list[dict]:
    """``Provenance.AOIs``: each place's picture grown by ``aoi_margin_deg``, in pixels
    (centre and size, origin at the screen centre, y up).

    >>> aois_px({"layout": "pair", "image_offset_deg": 6.5, "grid_cell_deg": 5.0,
    ...          "image_width_deg": 6.5, "image_height_deg": 8.5, "aoi_margin_deg": 0.5}, 10)[0]
    {'name': 'left', 'x': -65.0, 'y': 0.0, 'width': 75.0, 'height': 95.0}
    """
    w, h = picture_size_deg(params)
    m = 2 * params["aoi_margin_deg"]
    return [{"name": name, "x": x * px_per_deg, "y": y * px_per_deg,
             "width": (w + m) * px_per_deg, "height": (h + m) * px_per_deg}
            for name, (x, y) in place_centres(params).items()]


class _Deck:
    """Pictures of one category, dealt from a reshuffled deck (no repeat within a hand)."""

    def __init__(self, ids: list[str], rng: np.random.Generator):
        self.ids, self.rng, self.cards = list(ids), rng, []

    def deal(self, n: int) -> list[str]:
        hand: list[str] = []
        while len(hand) < n:
            if not self.cards:
                self.cards = [self.ids[i] for i in self.rng.permutation(len(self.ids))]
            card = self.cards.pop()
            if card in hand:  # a reshuffle put it on top again: deal it next time
                self.cards.insert(0, card)
                continue
            hand.append(card)
        return hand


def _display(phase, block, trial_type, layout, centres, targets: set, decks, rng,
             params) -> FreeviewTrial:
    target, comparison = split_type(trial_type)
    names = list(centres)
    n_target = len(targets)
    t_ids = decks[target].deal(n_target)
    c_ids = decks[comparison].deal(len(names) - n_target) if comparison != target else \
        decks[target].deal(len(names) - n_target)
    places = []
    for name in names:
        x, y = centres[name]
        if name in targets:
            places.append(Place(name, x, y, t_ids.pop(), target))
        else:
            places.append(Place(name, x, y, c_ids.pop(), comparison))
    iti = float(rng.uniform(params["iti_min_ms"], params["iti_max_ms"]))
    return FreeviewTrial(phase, block, trial_type, layout, tuple(places), round(iti, 1))


def build_design(params: dict, pools: dict[str, list[str]], rng: np.random.Generator
                 ) -> list[FreeviewTrial]:
    """Practice displays, then the test displays in ``n_blocks`` blocks.

    >>> pools = {"infant_neutral": ["i1", "i2", "i3"], "adult_neutral": ["a1", "a2", "a3"],
    ...          "object_neutral": ["o1", "o2"]}
    >>> p = {"layout": "pair", "image_offset_deg": 6.5, "grid_cell_deg": 5.0, "n_trials": 4,
    ...      "n_blocks": 2, "practice_trials": 1, "practice_category": "object_neutral",
    ...      "trial_types": ["infant_neutral-adult_neutral"], "iti_min_ms": 500,
    ...      "iti_max_ms": 1000}
    >>> trials = build_design(p, pools, np.random.default_rng(1))
    >>> [(t.phase, t.block) for t in trials]
    [('practice', 0), ('test', 1), ('test', 1), ('test', 2), ('test', 2)]
    >>> sorted(pl.aoi for t in trials[1:] for pl in t.places if pl.cell == "infant_neutral")
    ['left', 'left', 'right', 'right']
    """
    layout = params["layout"]
    centres = place_centres(params)
    names = list(centres)
    half = len(names) // 2
    decks = {cell: _Deck(ids, rng) for cell, ids in pools.items()}
    trials = []
    practice = params["practice_category"]
    for _ in range(params["practice_trials"]):
        trials.append(_display("practice", 0, f"{practice}-{practice}", layout, centres,
                               set(names[:half]), decks, rng, params))
    types = list(params["trial_types"])
    counts = [params["n_trials"] // len(types) + (i < params["n_trials"] % len(types))
              for i in range(len(types))]
    planned = []
    for trial_type, count in zip(types, counts):
        split = None
        for k in range(count):
            if k % 2 == 0:  # a fresh random half, then its mirror image
                split = set(names[i] for i in rng.choice(len(names), half, replace=False))
                planned.append((trial_type, split))
            else:
                planned.append((trial_type, set(names) - split))
    order = rng.permutation(len(planned))
    for position, index in enumerate(order):
        block = position * params["n_blocks"] // len(planned) + 1  # near-equal blocks
        trial_type, targets = planned[index]
        trials.append(_display("test", block, trial_type, layout, centres, targets, decks,
                               rng, params))
    return trials


def describe(trials: list[FreeviewTrial]) -> list[dict]:
    """The plan as rows (``icb validate --plan``)."""
    return [{"phase": t.phase, "block": t.block, "trial_type": t.trial_type,
             "layout": t.layout, "iti_ms": t.iti_ms,
             **{f"stim_{p.aoi}": p.stim_id for p in t.places}} for t in trials]
