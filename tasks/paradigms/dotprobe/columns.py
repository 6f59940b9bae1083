"""The dot-probe's own events columns (contract §3, plus ``probe_identity``); the
framework writes the common head (onset = cue onset, duration = cue onset to response or
time-out, trial_index, phase, block) before them."""

from __future__ import annotations

from icb.columns import DROPPED_FRAMES, SIDE_LEVELS, Column

COLUMNS: tuple[Column, ...] = (
    Column("trial_type", "Trial type",
           "<target category>-<comparison category> (category = face category and expression, "
           "e.g. infant_distress); 'filler' for neutral-neutral pairs."),
    Column("cue_duration_ms", "Intended cue duration", "Intended duration of the picture pair.",
           "float", units="ms"),
    Column("cue_duration_actual_ms", "Achieved cue duration",
           "Cue onset flip to probe onset flip, from flip time stamps.", "float", units="ms",
           measured=True),
    DROPPED_FRAMES,
    Column("target_side", "Target side", "Side of the target picture (n/a for fillers).",
           levels=SIDE_LEVELS, nullable=True),
    Column("probe_side", "Probe side", "Side on which the probe appeared.", levels=SIDE_LEVELS),
    Column("congruent", "Congruent", "Whether the probe replaced the target picture.", "int",
           levels={"1": "probe replaced the target picture",
                   "0": "probe replaced the comparison picture"}, nullable=True),
    Column("stim_left", "Left stimulus", "Stimulus id (manifest) of the left picture."),
    Column("stim_right", "Right stimulus", "Stimulus id (manifest) of the right picture."),
    Column("probe_identity", "Probe identity",
           "Probe form: 'dot' (location mode), 'colon' (:) or 'dots' (..) in discrimination mode.",
           levels={"dot": "single dot", "colon": "two dots stacked vertically (:)",
                   "dots": "two dots side by side (..)"}),
    Column("response", "Response", "Name of the key pressed, n/a if none.", nullable=True),
    Column("correct", "Correct", "1 correct, 0 error or no response.", "int",
           levels={"1": "correct", "0": "error or no response"}),
    Column("rt_ms", "Response time", "Probe onset flip to key press (keyboard time stamp).",
           "float", units="ms", nullable=True, measured=True),
)
