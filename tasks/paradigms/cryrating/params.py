"""The cry-rating task's parameters, declared once."""

from __future__ import annotations

from icb.params import Param
from tasks.core.scales import CATALOGUE, SCALE_TYPES, english_prompt

SOUND_CELLS = ["infant_high_distress", "infant_low_distress", "rotated_high_distress",
               "rotated_low_distress", "noise_high_distress", "noise_low_distress"]

PARAMS: tuple[Param, ...] = (
    Param("categories", "list[str]", SOUND_CELLS,
          "Sound categories, each `<category>_<valence>` of the stimulus manifest (infant "
          "cries of two distress levels, spectrally rotated controls, envelope-matched "
          "noise).", min_length=1, max_length=12),
    Param("n_per_category", "int", 4, "Sounds per category, chosen at random from the "
          "participant's stimulus set.", 1, 100),
    Param("repetitions", "int", 1, "How often each sound is played (research notes: twice; "
          "once keeps the task near 6 minutes).", 1, 10),
    Param("n_blocks", "int", 2, "Blocks (a break between blocks).", 1, 20),
    Param("scales", "list[str]", ["urgent", "aversive", "distressed", "respond"],
          "Scales asked after each sound, in this order, from the catalogue: "
          + ", ".join(f"`{k}` ({d.minimum}..{d.maximum}: \"{english_prompt(k)}\")"
                      for k, d in CATALOGUE.items()) + ".", min_length=1, max_length=7),
    Param("scale_order", "str", "fixed", "`fixed` or `random` (a new order for each sound).",
          choices=("fixed", "random")),
    Param("scale_type", "str", "likert", "`likert` (1..7) or `vas` (visual-analogue line "
          "0..100, as in the OxVoc ratings).", choices=SCALE_TYPES),
    Param("vas_key_step", "float", 5.0, "Visual-analogue scale: how far one arrow-key press "
          "moves the marker.", 0.5, 50),
    Param("response_timeout_ms", "int", 15000, "Time allowed for each scale; without a "
          "confirmed answer the rating is n/a. null = no limit.", 1000, 600000, unit="ms",
          nullable=True),
    Param("fixation_ms", "int", 500, "Fixation cross before each sound.", 0, 5000, unit="ms"),
    Param("post_sound_ms", "int", 500, "The listening screen stays this long after the "
          "sound's end before the first scale.", 0, 10000, unit="ms"),
    Param("iti_ms", "int", 500, "Blank screen after the last scale of a sound.", 0, 10000,
          unit="ms"),
    Param("audio_lead_frames", "int", 3, "The sound is scheduled on the screen flip this many "
          "frames after the listening screen's first flip (at least 2: the audio stream needs "
          "its latency, ~11 ms with 256-sample periods at 48 kHz, before the start time).",
          2, 30),
    Param("practice_trials", "int", 2, "Practice sounds (from `practice_category`) before the "
          "first block; 0 = none.", 0, 20),
    Param("practice_category", "str", "noise_low_distress", "`<category>_<valence>` of the "
          "practice sounds (not a cry, so that the practice does not show a test cry)."),
    Param("stimulus_set", "str", "auto", "Stimulus set (`A` or `B`); `auto` = assigned from "
          "participant and session.", choices=("auto", "A", "B")),
    Param("seed", "int", None, "Seed of the order; null = derived from participant and "
          "session. `--seed` overrides.", 0, 2**32 - 1, nullable=True),
)
