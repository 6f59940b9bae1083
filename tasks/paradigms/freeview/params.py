"""The free-viewing task's parameters, declared once (contract §6)."""

from __future__ import annotations

from icb.params import Param

LAYOUTS = ("pair", "grid2x2", "grid4x4")

PARAMS: tuple[Param, ...] = (
    Param("trial_types", "list[str]",
          ["infant_neutral-adult_neutral", "infant_distress-infant_neutral"],
          "Display types, each `<target>-<comparison>` where both are `<category>_<valence>` of "
          "the stimulus manifest; half the pictures of a display are of the target, half of the "
          "comparison. Each type is one scored condition (with `view_ms`).",
          min_length=1, max_length=6),
    Param("layout", "str", "pair", "Where the pictures stand: `pair` (left and right), "
          "`grid2x2` (2 target + 2 comparison) or `grid4x4` (8 + 8, as Lazarov et al. 2016). "
          "Positions of target and comparison pictures are balanced over the trials.",
          choices=LAYOUTS),
    Param("view_ms", "int", 6000, "How long each display is shown (free viewing).", 1000, 30000,
          unit="ms"),
    Param("n_trials", "int", 60, "Test trials (displays), spread evenly over the types and "
          "blocks.", 2, 400),
    Param("n_blocks", "int", 3, "Test blocks (a break between blocks).", 1, 20),
    Param("practice_trials", "int", 2, "Practice displays (object pictures) before the first "
          "block; 0 = none.", 0, 20),
    Param("practice_category", "str", "object_neutral", "`<category>_<valence>` of the "
          "practice pictures."),
    Param("fixation_radius_deg", "float", 1.5, "The gaze must rest within this distance of "
          "the central cross before a display starts.", 0.5, 10, unit="deg"),
    Param("fixation_hold_ms", "int", 300, "... for this long.", 50, 3000, unit="ms"),
    Param("fixation_timeout_ms", "int", 3000, "After this long the display starts anyway and "
          "`drift_check` says `timeout`.", 500, 20000, unit="ms"),
    Param("iti_min_ms", "int", 500, "Shortest blank interval after a display.", 0, 10000,
          unit="ms"),
    Param("iti_max_ms", "int", 1000, "Longest blank interval after a display.", 0, 10000,
          unit="ms"),
    Param("image_width_deg", "float", 6.5, "Width of each picture (pair layout; grids scale "
          "it to fit their cells).", 1, 30, unit="deg"),
    Param("image_height_deg", "float", 8.5, "Height of each picture (pair layout).", 1, 30,
          unit="deg"),
    Param("image_offset_deg", "float", 6.5, "Pair layout: horizontal distance of each "
          "picture's centre from the screen centre.", 1, 30, unit="deg"),
    Param("grid_cell_deg", "float", 5.0, "Grid layouts: distance between the centres of "
          "neighbouring pictures (pictures are scaled to fit their cells).", 1, 30, unit="deg"),
    Param("aoi_margin_deg", "float", 0.5, "Each area of interest is its picture's rectangle "
          "grown by this much on every side.", 0, 5, unit="deg"),
    Param("fixation_size_deg", "float", 0.8, "Size of the fixation cross.", 0.1, 5, unit="deg"),
    Param("stimulus_set", "str", "auto", "Stimulus set (`A` or `B`), `auto` = from participant "
          "and session so that pre and post show different faces, or `all` (both sets: what "
          "`grid4x4` needs with the default pictures, six per category and set).",
          choices=("auto", "A", "B", "all")),
    Param("seed", "int", None, "Seed of the trial list; null = derived from participant and "
          "session (recorded in the sidecar). `--seed` overrides.", 0, 2**32 - 1,
          nullable=True),
)
