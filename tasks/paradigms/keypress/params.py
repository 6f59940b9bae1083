"""The key-press ("wanting") task's parameters, declared once."""

from __future__ import annotations

from icb.params import Param
from tasks.core.stimulus_pools import FACE_CELLS

PARAMS: tuple[Param, ...] = (
    Param("categories", "list[str]", FACE_CELLS,
          "Face categories, each `<category>_<valence>` of the stimulus manifest (the "
          "baby-schema pictures come from `baby_schema_levels`).", min_length=1, max_length=12),
    Param("n_per_category", "int", 4, "Faces per category, chosen at random from the "
          "participant's stimulus set.", 1, 100),
    Param("baby_schema_levels", "list[int]", [1, 2, 4, 5],
          "Baby-schema levels of the infant neutral continuum faces to include (1 = low, "
          "5 = high); an empty list leaves them out.", 1, 5, max_length=5),
    Param("n_per_baby_schema_level", "int", 2, "Faces per baby-schema level.", 1, 100),
    Param("repetitions", "int", 2, "How often each face is shown (research notes: 2).", 1, 10),
    Param("n_blocks", "int", 2, "Blocks (a break between blocks).", 1, 20),
    Param("default_ms", "int", 4000, "Viewing time without any key press (Parsons et al. "
          "2011 as recalled; the Breiter-lab preset `configs/keypress_breiter.yaml` uses "
          "8000).", 500, 30000, unit="ms", unverified=True),
    Param("step_ms", "int", 100, "How much one counted press lengthens or shortens the "
          "viewing time.", 1, 5000, unit="ms", unverified=True),
    Param("min_ms", "int", 0, "Shortest viewing time (0: the face goes as soon as the "
          "decrease presses use up its time; it is still shown for one frame).", 0, 30000,
          unit="ms", unverified=True),
    Param("max_ms", "int", None, "Longest viewing time; null = twice `default_ms`.", 0, 120000,
          unit="ms", nullable=True, unverified=True),
    Param("increase_keys", "list[str]", ["x", "z"], "The key pair that lengthens the viewing "
          "time when pressed alternately (x z x z ...; the same key twice counts once).",
          min_length=2, max_length=2, unverified=True),
    Param("decrease_keys", "list[str]", ["n", "m"], "The key pair that shortens the viewing "
          "time when pressed alternately.", min_length=2, max_length=2, unverified=True),
    Param("fixation_ms", "int", 1000, "Fixation cross before each face.", 0, 5000, unit="ms"),
    Param("iti_ms", "int", 1000, "Blank screen after each face.", 0, 10000, unit="ms"),
    Param("practice_trials", "int", 3, "Practice trials (from `practice_category`) before the "
          "first block; 0 = none.", 0, 20),
    Param("practice_category", "str", "object_neutral", "`<category>_<valence>` of the "
          "practice pictures."),
    Param("stimulus_set", "str", "auto", "Stimulus set (`A` or `B`); `auto` = assigned from "
          "participant and session.", choices=("auto", "A", "B")),
    Param("image_width_deg", "float", 10.0, "Width of the face (research notes: 10 x 12.5 "
          "deg).", 1, 30, unit="deg"),
    Param("image_height_deg", "float", 12.5, "Height of the face.", 1, 30, unit="deg"),
    Param("seed", "int", None, "Seed of the order; null = derived from participant and "
          "session. `--seed` overrides.", 0, 2**32 - 1, nullable=True),
)
