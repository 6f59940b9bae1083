"""The dot-probe's parameters, declared once (types, defaults, limits, docs)."""

from __future__ import annotations

from icb.params import Param

PARAMS: tuple[Param, ...] = (
    Param("trial_types", "list[str]",
          ["infant_distress-infant_neutral", "infant_neutral-adult_neutral"],
          "Pair types, each `<target>-<comparison>` where both are `<category>_<valence>` of the "
          "stimulus manifest (e.g. `infant_happy-infant_neutral`, `infant_distress-adult_distress`). "
          "Each type x cue duration is one scored condition.", min_length=1, max_length=8),
    Param("cue_durations_ms", "list[int]", [200, 2000],
          "Picture-pair durations, interleaved at random within blocks (Garland's 200 and 2000 ms "
          "by default; any list allowed). Converted to whole frames at the measured refresh rate; "
          "durations that would last the same number of frames at `expected_refresh_hz` are refused.",
          17, 10000, min_length=1, max_length=6, unit="ms"),
    Param("fixation_ms", "int", 500, "Fixation cross before the pair.", 0, 5000, unit="ms"),
    Param("probe_timeout_ms", "int", 3000, "The probe stays until a response or this time-out.",
          200, 10000, unit="ms", unverified=True),
    Param("iti_min_ms", "int", 500, "Shortest blank inter-trial interval (uniform between "
          "`iti_min_ms` and `iti_max_ms`).", 0, 10000, unit="ms", unverified=True),
    Param("iti_max_ms", "int", 1000, "Longest blank inter-trial interval.", 0, 10000, unit="ms",
          unverified=True),
    Param("probe_mode", "str", "location", "`location`: press the key for the side of the dot "
          "(Garland-compatible); `discrimination`: press the key for the probe's form, `:` or "
          "`..`, wherever it appears.", choices=("location", "discrimination")),
    Param("location_keys", "list[str]", ["left", "right"], "Keys for a probe on the left and "
          "on the right (location mode).", min_length=2, max_length=2),
    Param("discrimination_keys", "list[str]", ["up", "down"], "The two response keys in "
          "discrimination mode; which form each key means is counterbalanced across "
          "participants (see `key_mapping`).", min_length=2, max_length=2),
    Param("key_mapping", "str", "auto", "Discrimination mode: `A` = first key for `:`, `B` = "
          "first key for `..`, `auto` = A or B from the participant label (recorded).",
          choices=("auto", "A", "B")),
    Param("n_blocks", "int", 4, "Test blocks (a break between blocks).", 1, 20),
    Param("reps_per_block", "int", 4, "Repetitions of the full crossing (pair type x cue "
          "duration x target side x probe side [x probe form]) in each block.", 1, 20,
          unverified=True),
    Param("filler_ratio", "float", 0.125, "Neutral-neutral filler trials per critical trial "
          "(0.125 = one filler per eight critical trials).", 0, 1),
    Param("filler_category", "str", "object_neutral", "`<category>_<valence>` of the filler "
          "pictures (both pictures of a filler pair)."),
    Param("max_run_length", "int", 3, "At most this many trials in a row with the same probe "
          "side, or with the same congruency.", 2, 10),
    Param("practice_trials", "int", 12, "Practice trials (neutral-object pairs, error "
          "feedback) before the first block; 0 = none.", 0, 64),
    Param("feedback_ms", "int", 500, "Duration of the practice error feedback.", 0, 5000,
          unit="ms"),
    Param("stimulus_set", "str", "auto", "Stimulus set (`A` or `B`); `auto` = assigned from "
          "participant and session so that no one sees the same faces before and after "
          "(recorded in the sidecar).", choices=("auto", "A", "B")),
    Param("image_width_deg", "float", 6.5, "Width of each picture.", 1, 30, unit="deg"),
    Param("image_height_deg", "float", 8.5, "Height of each picture.", 1, 30, unit="deg"),
    Param("image_offset_deg", "float", 6.5, "Horizontal distance of each picture's centre from "
          "the screen centre.", 1, 30, unit="deg"),
    Param("probe_size_deg", "float", 0.5, "Diameter of the probe dot(s).", 0.1, 5, unit="deg"),
    Param("fixation_size_deg", "float", 0.8, "Size of the fixation cross.", 0.1, 5, unit="deg"),
    Param("seed", "int", None, "Seed of the trial list; null = derived from participant and "
          "session (recorded in the sidecar). `--seed` overrides.", 0, 2**32 - 1,
          nullable=True),
)
