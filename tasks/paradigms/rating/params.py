"""The rating task's parameters, declared once (types, defaults, limits, docs)."""

from __future__ import annotations

from icb.params import Param
from tasks.core.scales import CATALOGUE, SCALE_TYPES, english_prompt
from tasks.core.stimulus_pools import FACE_CELLS


PARAMS: tuple[Param, ...] = (
    Param("categories", "list[str]", FACE_CELLS,
          "Face categories, each `<category>_<valence>` of the stimulus manifest (pictures "
          "with a baby-schema level are not part of these; see `baby_schema_levels`).",
          min_length=1, max_length=12),
    Param("n_per_category", "int", 4, "Pictures per category, chosen at random from the "
          "participant's stimulus set (all when the set has fewer).", 1, 100),
    Param("baby_schema_levels", "list[int]", [1, 2, 3, 4, 5],
          "Baby-schema levels of the infant neutral continuum pictures to include (1 = low, "
          "5 = high; Glocker et al. 2009); an empty list leaves them out.", 1, 5,
          max_length=5),
    Param("n_per_baby_schema_level", "int", 2, "Pictures per baby-schema level.", 1, 100),
    Param("repetitions", "int", 1, "How often each picture is shown.", 1, 10),
    Param("n_blocks", "int", 2, "Blocks (a break between blocks); each category is spread "
          "evenly over the blocks.", 1, 20),
    Param("scales", "list[str]", ["liking", "cuteness", "caretaking"],
          "Scales asked after each picture, in this order, from the catalogue: "
          + ", ".join(f"`{k}` ({d.minimum}..{d.maximum}: \"{english_prompt(k)}\")"
                      for k, d in CATALOGUE.items()) + ".", min_length=1, max_length=7),
    Param("scale_order", "str", "fixed", "`fixed`: the order of `scales` for every picture; "
          "`random`: a new random order for each picture.", choices=("fixed", "random")),
    Param("scale_type", "str", "likert", "`likert`: whole points from the scale's minimum to "
          "maximum (liking -4..+4, the others 1..7); `vas`: a visual-analogue line 0..100 "
          "(continuous with the mouse).", choices=SCALE_TYPES, unverified=True),
    Param("vas_key_step", "float", 5.0, "Visual-analogue scale: how far one arrow-key press "
          "moves the marker.", 0.5, 50),
    Param("face_ms", "int", 3000, "How long the picture is shown before the first scale.",
          200, 20000, unit="ms", unverified=True),
    Param("face_during_scales", "bool", True, "Keep the picture on the screen (above the "
          "scale) while the scales are answered."),
    Param("response_timeout_ms", "int", 15000, "Time allowed for each scale; without a "
          "confirmed answer the rating is recorded as n/a. null = no limit.", 1000, 600000,
          unit="ms", nullable=True),
    Param("fixation_ms", "int", 500, "Fixation cross before each picture.", 0, 5000, unit="ms"),
    Param("iti_ms", "int", 500, "Blank screen after the last scale of a picture.", 0, 10000,
          unit="ms"),
    Param("practice_trials", "int", 2, "Practice pictures (from `practice_category`) rated on "
          "every scale before the first block; 0 = none.", 0, 20),
    Param("practice_category", "str", "object_neutral", "`<category>_<valence>` of the "
          "practice pictures."),
    Param("stimulus_set", "str", "auto", "Stimulus set (`A` or `B`); `auto` = assigned from "
          "participant and session so that pre and post use different pictures.",
          choices=("auto", "A", "B")),
    Param("image_width_deg", "float", 6.5, "Width of the picture.", 1, 30, unit="deg"),
    Param("image_height_deg", "float", 8.5, "Height of the picture.", 1, 30, unit="deg"),
    Param("seed", "int", None, "Seed of the order; null = derived from participant and "
          "session (recorded in the sidecar). `--seed` overrides.", 0, 2**32 - 1,
          nullable=True),
)
